using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Operations;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// GET /api/health: reachability of the queue, Kubernetes and Cruise Control per cluster (200, or 503 when a check is
/// unhealthy). Function level: the report names clusters and namespaces, so a probe sends the key.
/// </summary>
public sealed class HealthFunction(HealthCheckReport health)
{
    [Function("health")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await health.CheckAsync(cancellationToken)).ToResult();
}
