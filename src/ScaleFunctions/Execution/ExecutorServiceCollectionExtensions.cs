using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Operations;
using ScaleFunctions.Strimzi;

namespace ScaleFunctions;

/// <summary>
/// Registers the scale executor (command → decision → change): Kubernetes access (<c>Kubernetes__*</c>), its options
/// (<c>Executor__*</c>), the cluster adapters, the queue entry point, and Kubernetes' start-up and health checks
/// (docs/executor.md#kubernetes-access).
/// </summary>
public static class ExecutorServiceCollectionExtensions
{
    public static IServiceCollection AddScaleExecutor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesOptions>().Bind(configuration.GetSection("Kubernetes")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>());
        services.AddOptions<ExecutorOptions>().Bind(configuration.GetSection("Executor")).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExecutorOptions>, ExecutorOptionsValidator>());
        services.AddOptions<HostQueueOptions>().Bind(configuration.GetSection(HostQueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(KubernetesClientFactory.Configuration(
            sp.GetRequiredService<IOptions<KubernetesOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetKeyedService<Azure.Core.TokenCredential>(KubernetesOptions.CredentialServiceKey),
            sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>())));
        services.TryAddSingleton<CustomObjectClient>();
        services.TryAddSingleton<KafkaClusterClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterAdapter, KoperatorAdapter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterAdapter, StrimziAdapter>());
        services.TryAddSingleton<ScaleExecutor>();
        services.TryAddSingleton<IScaleCommandHandler, ScaleCommandHandler>();
        services.TryAddSingleton<IScaleActivity, ScaleActivityReader>();
        services.AddHostedService<KubernetesAccessValidation>();

        // One check per managed cluster, from the Clusters options as bound once (as the Cruise Control checks are).
        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<ManagedClustersOptions>>((health, clusters) =>
        {
            foreach (var cluster in clusters.Value.Clusters)
            {
                health.Registrations.Add(new HealthCheckRegistration(
                    ClusterHealthCheck.Name(cluster),
                    sp => new ClusterHealthCheck(cluster, sp.GetServices<IClusterAdapter>, sp.GetRequiredService<FunctionSwitches>()),
                    failureStatus: null,
                    tags: ["kubernetes"]));
            }
        });

        return services;
    }
}
