using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Intake;
using ScaleFunctions.Operations;

namespace ScaleFunctions.App.Functions;

/// <summary>GET /api/clusters and /api/clusters/{namespace}/{name}: each managed cluster's status (why it did or did not scale).</summary>
public sealed class ClustersFunction(ClusterStatusReader status)
{
    [Function("clusters")]
    public async Task<IResult> All(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "clusters")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await status.ReadAsync(request.ToWebhookRequest(), null, null, cancellationToken)).ToResult();

    [Function("cluster")]
    public async Task<IResult> One(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "clusters/{namespace}/{name}")] HttpRequest request,
        string @namespace,
        string name,
        CancellationToken cancellationToken) =>
        (await status.ReadAsync(request.ToWebhookRequest(), @namespace, name, cancellationToken)).ToResult();
}
