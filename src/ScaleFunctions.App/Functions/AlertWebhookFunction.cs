using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Intake;

namespace ScaleFunctions.App.Functions;

/// <summary>POST /api/alerts: Alertmanager's webhook_configs target. The function key is checked by the host.</summary>
public sealed class AlertWebhookFunction(AlertWebhookHandler handler)
{
    [Function("alerts")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "alerts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await handler.HandleAsync(request.ToWebhookRequest(), cancellationToken)).ToResult();
}
