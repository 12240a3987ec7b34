using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>The fallback when no Cruise Control client is registered: replica counts are unknown (downScale removes the highest id).</summary>
public sealed class UnknownBrokerReplicaCounts : IBrokerReplicaCounts
{
    public Task<IReadOnlyDictionary<int, int>?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, int>?>(null);
}
