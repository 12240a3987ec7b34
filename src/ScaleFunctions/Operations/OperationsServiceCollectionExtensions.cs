using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleFunctions;

/// <summary>Registers health reporting and telemetry.</summary>
public static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the deploy-and-operate work.
        return services;
    }
}
