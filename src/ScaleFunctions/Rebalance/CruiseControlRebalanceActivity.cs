using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// The executor's "is a rebalance moving partitions?" (<see cref="IRebalanceActivity"/>), from Cruise Control's
/// executor and, for a KafkaCluster, Koperator's unfinished CruiseControlOperations. An unanswered question is thrown,
/// never taken for "nothing moves" (docs/rebalance.md#cruise-control-for-the-executor).
/// </summary>
public sealed class CruiseControlRebalanceActivity(CruiseControlClients clients, CruiseControlOperations operations) : IRebalanceActivity
{
    public async Task<string?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        if (!cluster.CruiseControl.IsConfigured)
        {
            return null;
        }

        var result = await clients.For(cluster).GetStateAsync(cancellationToken);
        var executor = result.Value?.Executor
            ?? throw new CruiseControlException("state", null, $"no executor state available ({result.Outcome}); cannot tell whether partitions are moving.");
        if (!executor.IsIdle)
        {
            return executor.Describe();
        }

        if (cluster.Kind != ClusterKind.KafkaCluster)
        {
            return null;
        }

        var unfinished = await operations.ListUnfinishedAsync(cluster, cancellationToken);
        return unfinished.Count == 0 ? null : CruiseControlOperation.DescribeUnfinished(unfinished);
    }
}
