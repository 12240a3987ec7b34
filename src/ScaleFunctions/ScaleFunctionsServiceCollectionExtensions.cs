using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Storage;

namespace ScaleFunctions;

/// <summary>
/// The one DI entry point, shared by every host (the Functions app, the local host, the tests).
/// Each feature registers itself in its own <c>Add*</c> method; options are bound here and validated at start-up.
/// </summary>
public static class ScaleFunctionsServiceCollectionExtensions
{
    public static IServiceCollection AddScaleFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddHealthChecks();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new StorageAccount(configuration));
        services.TryAddSingleton<ScaleFunctionsMetrics>();
        services.TryAddSingleton<DecisionLog>();

        services.AddOptions<ManagedClustersOptions>()
            .Configure(o => configuration.GetSection("Clusters").Bind(o.Clusters))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ManagedClustersOptions>, ManagedClustersOptionsValidator>());
        services.TryAddSingleton<ManagedClusters>();
        services.TryAddSingleton(new FunctionSwitches(configuration));

        services.AddAlertIntake(configuration);
        services.AddScaleExecutor(configuration);
        services.AddRebalanceCheck(configuration);
        services.AddOperations(configuration);
        return services;
    }
}
