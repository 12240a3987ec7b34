using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// Whether a cluster is moving or resting, read from the cluster resource: the executor's guard state (last actions,
/// cooldowns) and the operator's own status (graceful actions pending). The rebalance check uses it to stay out of the way.
/// </summary>
public interface IScaleActivity
{
    Task<ScaleActivity> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}

/// <summary>A cluster's activity. <see cref="Reason"/> says why it is not resting (null when it is).</summary>
public sealed record ScaleActivity(bool ScalingInProgress, bool InCooldown, bool GracefulActionsPending, string? Reason)
{
    public bool IsResting => !ScalingInProgress && !InCooldown && !GracefulActionsPending;
}
