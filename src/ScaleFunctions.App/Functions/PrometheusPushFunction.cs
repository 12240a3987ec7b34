using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Intake;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// POST /api/v2/alerts: where Prometheus pushes alerts when its <c>alerting.alertmanagers</c> points at the app with
/// <c>path_prefix: /</c> (it posts to <c>&lt;path_prefix&gt;/api/v2/alerts</c>; the host's routePrefix is <c>api</c>).
/// Anonymous at the host, because Prometheus cannot send a function key (no header option before 2.55, and a
/// <c>?code=</c> in path_prefix is escaped into the path): the app checks its own bearer or basic credential, and
/// refuses every request with 403 when none is configured. Same handler as the webhook. See docs/prometheus.md.
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
