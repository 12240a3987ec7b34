using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// Whether Cruise Control is moving partitions in a cluster: an execution running, or a rebalance operation waiting to
/// run. The executor does not change the broker count meanwhile — partition counts move during a rebalance and fire
/// alerts that are not about load (the seed article's 3 → 2 → 4). The counterpart of <see cref="IScaleActivity"/>.
/// </summary>
public interface IRebalanceActivity
{
    /// <summary>
    /// Null when nothing is moving (or no Cruise Control is configured); otherwise why the cluster is moving. Throws when
    /// it cannot tell (Cruise Control unreachable): the executor then retries through the queue instead of acting blind.
    /// The API server's 403 is not "cannot tell": the executor refuses the command (Forbidden) naming the permission.
    /// </summary>
    Task<string?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}

/// <summary>
/// Whether Cruise Control is moving partitions could not be read, so a broker-count change is not made blind.
/// Transient: the queue delivers the command again.
/// </summary>
public sealed class RebalanceActivityUnknownException(string message, Exception inner) : Exception(message, inner);
