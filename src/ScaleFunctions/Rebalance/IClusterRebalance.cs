using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// The rebalance check of one kind of cluster whose operator owns Cruise Control (Strimzi's KafkaRebalance), used by
/// <see cref="RebalanceCheck"/> instead of Cruise Control's REST API for clusters of that <see cref="Kind"/>. It makes
/// exactly one decision per check, whatever happens (its own lock, errors and 403s included).
/// </summary>
public interface IClusterRebalance
{
    ClusterKind Kind { get; }

    Task<Decision> CheckAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}
