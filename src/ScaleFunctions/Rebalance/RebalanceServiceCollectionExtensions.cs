using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleFunctions;

/// <summary>Registers the Cruise Control client and the rebalance check.</summary>
public static class RebalanceServiceCollectionExtensions
{
    public static IServiceCollection AddRebalanceCheck(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the rebalance-check work.
        return services;
    }
}
