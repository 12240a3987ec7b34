using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// <see cref="IRebalanceActivity"/> from Cruise Control and Koperator: moving while Cruise Control's executor is not
/// <c>NO_TASK_IN_PROGRESS</c> or, for a KafkaCluster, while a CruiseControlOperation of the cluster is unfinished.
/// Null when nothing moves, or when the cluster has no Cruise Control configured (then no request is made).
/// When Cruise Control or the API server cannot answer, the error is thrown, never guessed away: the executor treats
/// it as transient and the queue delivers the command again (docs/rebalance.md, "Cruise Control for the executor") —
/// except the API server's 403 (service proxy, operation list), which the executor turns into a Forbidden refusal.
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
