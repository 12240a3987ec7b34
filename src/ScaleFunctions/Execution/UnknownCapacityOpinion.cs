using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>The fallback when the rebalance module registers no Cruise Control client: no opinion (the command goes on, as advised).</summary>
public sealed class UnknownCapacityOpinion : ICapacityOpinion
{
    public Task<CapacityOpinion> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        Task.FromResult(CapacityOpinion.NotReported);
}
