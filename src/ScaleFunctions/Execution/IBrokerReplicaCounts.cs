using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// Partition replicas per broker id, as Cruise Control's <c>kafka_cluster_state</c> reports them; null when Cruise Control
/// cannot be reached. A downScale without a <c>brokerId</c> removes the broker holding the fewest replicas.
/// </summary>
public interface IBrokerReplicaCounts
{
    Task<IReadOnlyDictionary<int, int>?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}
