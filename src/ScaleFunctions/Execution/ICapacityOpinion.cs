using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// Cruise Control's opinion of a cluster's size (<see cref="CapacityOpinion"/>), asked by the executor only for an
/// upScale or downScale the guards would act on, only when the cluster has Cruise Control configured and its
/// <c>CapacityOpinion</c> is not Off. Never throws for "cannot say" (that is <see cref="CapacityOpinion.Unavailable"/>);
/// the API server's 403 (service proxy) is thrown, so the command is refused (Forbidden) naming the permission.
/// </summary>
public interface ICapacityOpinion
{
    Task<CapacityOpinion> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}
