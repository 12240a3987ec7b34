using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleFunctions;

/// <summary>Registers the scale executor: Kubernetes access, guards, cluster adapters.</summary>
public static class ExecutorServiceCollectionExtensions
{
    public static IServiceCollection AddScaleExecutor(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the scale-executor work.
        return services;
    }
}
