using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleFunctions.Execution;
using ScaleFunctions.Operations;

namespace ScaleFunctions;

/// <summary>Registers health reporting, plan (<c>/api/plan</c>), cluster status (<c>/api/clusters</c>) and telemetry.</summary>
public static class OperationsServiceCollectionExtensions
{
    /// <summary>How long the queue check may take before it counts as unreachable.</summary>
    public static readonly TimeSpan QueueCheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            CommandQueueHealthCheck.Name,
            sp => ActivatorUtilities.CreateInstance<CommandQueueHealthCheck>(sp),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["storage"],
            timeout: QueueCheckTimeout));
        services.TryAddSingleton<HealthCheckReport>();
        // The executor and the Kubernetes client resolved on use, as the health checks do: without a usable kubeconfig
        // plan and status still answer, with the error where it belongs.
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<WebhookPlanner>(sp, (Func<ScaleExecutor>)sp.GetRequiredService<ScaleExecutor>));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<ClusterStatusReader>(
            sp, (Func<IEnumerable<IClusterAdapter>>)sp.GetServices<IClusterAdapter>, (Func<ScaleExecutor>)sp.GetRequiredService<ScaleExecutor>));
        // The configuration AddScaleFunctions was given, not one from DI: every host passes its own.
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<StartupSummary>(sp, configuration));

        services.AddLogging(logging => LogFilters.KeepSecretsOut(logging));
        return services;
    }
}
