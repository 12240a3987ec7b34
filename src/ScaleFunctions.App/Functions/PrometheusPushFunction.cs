using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Intake;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// POST /api/v2/alerts: where Prometheus pushes alerts when its <c>alerting.alertmanagers</c> points at the app with
/// <c>path_prefix: /</c>; same handler as the webhook. Anonymous at the host, because Prometheus cannot send a function
/// key: the app checks its own bearer or basic credential, and refuses every request with 403 when none is configured
/// (docs/prometheus.md).
/// </summary>
public sealed class PrometheusPushFunction(AlertWebhookHandler handler)
{
    public const string Name = "prometheus-alerts";

    [Function(Name)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/alerts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await handler.HandleAsync(request.ToWebhookRequest() with { RequiresAppCredential = true }, cancellationToken)).ToResult();
}
