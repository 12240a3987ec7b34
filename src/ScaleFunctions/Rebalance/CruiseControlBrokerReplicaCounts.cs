using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Replicas per broker from Cruise Control's <c>kafka_cluster_state</c>; null whenever Cruise Control cannot say. The
/// API server's 403 (service proxy) is not "cannot say": it is thrown, so the command is refused naming the permission.
/// </summary>
public sealed class CruiseControlBrokerReplicaCounts(CruiseControlClients clients, ILogger<CruiseControlBrokerReplicaCounts> logger) : IBrokerReplicaCounts
{
    public async Task<IReadOnlyDictionary<int, int>?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        if (!cluster.CruiseControl.IsConfigured)
        {
            return null;
        }

        try
        {
            var result = await clients.For(cluster).GetKafkaClusterStateAsync(cancellationToken);
            return result.Value?.KafkaBrokerState.ReplicaCountByBrokerId;
        }
        catch (Exception ex) when ((ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && ex.Forbidden() is null)
        {
            logger.LogWarning("Replica counts of cluster {Cluster} unavailable from Cruise Control: {Error}", cluster.Ref.ToString(), ex.Message);
            return null;
        }
    }
}
