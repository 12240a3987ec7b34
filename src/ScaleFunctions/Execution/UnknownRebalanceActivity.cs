using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>The fallback when the rebalance module registers nothing: nobody can tell, so nothing is moving (null).</summary>
public sealed class UnknownRebalanceActivity : IRebalanceActivity
{
    public Task<string?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
