using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Strimzi;

/// <summary>
/// The cluster adapter for Strimzi (kind <c>KafkaNodePool</c>): reads a <see cref="StrimziCluster"/>, plans on one
/// pool (<see cref="NodePoolPlanner"/>) and writes the pool's preconditioned patch, then the KafkaRebalances the step
/// needs — the one list of requests that is logged, planned and sent (docs/strimzi.md#what-each-command-does).
/// </summary>
public sealed class StrimziAdapter(CustomObjectClient objects, IOptions<ExecutorOptions> options, TimeProvider time) : IClusterAdapter
{
    public ClusterKind Kind => ClusterKind.KafkaNodePool;

    public async Task<ClusterReading> ReadAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var selector = $"{StrimziNames.ClusterLabel}={cluster.Name}";
        var kafka = await objects.GetAsync(StrimziCluster.KafkaType, cluster.Namespace, cluster.Name, cancellationToken);
        var pools = await objects.ListAsync(StrimziCluster.NodePoolType, cluster.Namespace, selector, cancellationToken);
        var rebalances = await objects.ListAsync(StrimziCluster.RebalanceType, cluster.Namespace, selector, cancellationToken);
        return StrimziCluster.Read(cluster, kafka, pools, rebalances, time.GetUtcNow(), options.Value.RecentKeyLimit);
    }

    public ClusterPlan Plan(ScaleCommand command, ClusterReading reading, IReadOnlyDictionary<int, int>? replicaCounts) =>
        NodePoolPlanner.Plan(command, (StrimziCluster)reading, replicaCounts, options.Value);

    /// <summary>
    /// The requests, in order. The pool's patch also records <paramref name="after"/> (the guard annotations) and drops a
    /// drain annotation that is no longer live, so an abandoned drain goes with the next write to its pool.
    /// </summary>
    public JsonNode Patch(ClusterReading reading, ClusterPlan plan, GuardState? after)
    {
        var cluster = (StrimziCluster)reading;
        var change = (StrimziChange)plan;
        var requests = new JsonArray();
        if (change.Pool is { } planned)
        {
            var body = planned.Changes.ToJson();
            var annotated = planned.Copy(); // a fresh record of changes, on the pool as planned
            foreach (var (name, value) in after?.ToAnnotations() ?? [])
            {
                annotated.SetAnnotation(name, value);
            }

            if (!cluster.Drains.ContainsKey(planned.Name) && annotated.Annotation(PoolDrain.Annotation) is { } recorded
                && recorded == cluster.Pool(planned.Name)?.Annotation(PoolDrain.Annotation)) // as read, not just planned
            {
                annotated.RemoveAnnotation(PoolDrain.Annotation);
            }

            foreach (var operation in annotated.Changes.ToJson().Skip(1)) // its own precondition is the same one
            {
                body.Add(operation!.DeepClone());
            }

            requests.Add(new JsonObject { ["patch"] = $"{StrimziNames.KafkaNodePools}/{planned.Name}", ["body"] = body });
        }

        if (change.Delete is { } delete)
        {
            requests.Add(new JsonObject { ["delete"] = $"{StrimziNames.KafkaRebalances}/{delete}" });
        }

        if (change.Create is { } create)
        {
            requests.Add(new JsonObject { ["create"] = StrimziNames.KafkaRebalances, ["body"] = create.DeepClone() });
        }

        return requests;
    }

    /// <summary>
    /// Sends the requests in order. A lost race on the pool is a conflict (nothing else was sent); deleting what is gone
    /// and creating the drain's KafkaRebalance that a previous attempt created are no errors.
    /// </summary>
    public async Task WriteAsync(ManagedClusterOptions cluster, JsonNode patch, CancellationToken cancellationToken)
    {
        foreach (var request in patch.AsArray().OfType<JsonObject>())
        {
            if ((string?)request["patch"] is { } pool)
            {
                await objects.PatchAsync(StrimziCluster.NodePoolType, cluster.Namespace, pool.Split('/')[1], request["body"]!.AsArray(), cancellationToken);
            }
            else if ((string?)request["delete"] is { } delete)
            {
                try
                {
                    await objects.DeleteAsync(StrimziCluster.RebalanceType, cluster.Namespace, delete.Split('/')[1], cancellationToken);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                {
                    // Already gone: what the request wanted.
                }
            }
            else if (request["body"] is JsonObject body)
            {
                try
                {
                    await objects.CreateAsync(StrimziCluster.RebalanceType, cluster.Namespace, body, cancellationToken);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Conflict)
                {
                    if (!await IsSameAsync(cluster, body, cancellationToken))
                    {
                        throw; // someone else's KafkaRebalance of that name: a rejection, not ours to take over
                    }

                    // An earlier attempt of this very step created it.
                }
            }
        }
    }

    /// <summary>Whether the KafkaRebalance of that name is this very one (listed as the reading lists them: no get needed).</summary>
    private async Task<bool> IsSameAsync(ManagedClusterOptions cluster, JsonObject body, CancellationToken cancellationToken)
    {
        var name = (string?)body["metadata"]!["name"];
        var listed = await objects.ListAsync(StrimziCluster.RebalanceType, cluster.Namespace, $"{StrimziNames.ClusterLabel}={cluster.Name}", cancellationToken);
        return listed.FirstOrDefault(r => (string?)r["metadata"]?["name"] == name) is { } existing
            && JsonNode.DeepEquals(existing["spec"], body["spec"])
            && ResourceFields.Text(existing["metadata"]?["annotations"]?[PoolDrain.Annotation]) == ResourceFields.Text(body["metadata"]?["annotations"]?[PoolDrain.Annotation]);
    }
}
