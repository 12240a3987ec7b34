using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Operations;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Rebalance.Strimzi;

namespace ScaleFunctions;

/// <summary>
/// Registers the rebalance check, the Cruise Control client beneath it, and what the executor asks Cruise Control
/// (replica counts, rebalance activity, capacity opinion; docs/rebalance.md#cruise-control-for-the-executor).
/// </summary>
public static class RebalanceServiceCollectionExtensions
{
    public static IServiceCollection AddRebalanceCheck(this IServiceCollection services, IConfiguration configuration)
    {
        // Cruise Control settings: global CruiseControl section, layered under each cluster's own, validated at start.
        services.AddOptions<CruiseControlOptions>().Bind(configuration.GetSection(CruiseControlOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ManagedClustersOptions>>(new CruiseControlSettingsLayering(configuration)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ManagedClustersOptions>, CruiseControlSettingsValidator>());
        services.AddOptions<RebalanceOptions>()
            .Bind(configuration.GetSection(RebalanceOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.FollowInterval >= TimeSpan.Zero, "Rebalance:FollowInterval must not be negative.")
            .Validate(o => o.ProposalMaxAge > TimeSpan.Zero, "Rebalance:ProposalMaxAge must be positive.")
            .ValidateOnStart();

        // Two resilient HttpClients (direct, service proxy) and one health check per managed cluster, both from the
        // configuration as it is when first used.
        CruiseControlHttp.Register(services);
        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<ManagedClustersOptions>>((health, clusters) =>
        {
            foreach (var cluster in clusters.Value.Clusters.Where(c => c.CruiseControl.IsConfigured))
            {
                var (ns, name) = (cluster.Namespace, cluster.Name);
                health.Registrations.Add(new HealthCheckRegistration(
                    CruiseControlClients.NameFor(ns, name),
                    sp => ActivatorUtilities.CreateInstance<CruiseControlHealthCheck>(sp, ns, name),
                    failureStatus: HealthStatus.Unhealthy,
                    tags: ["cruisecontrol"]));
            }
        });

        services.TryAddSingleton<CruiseControlClients>();

        // What the executor asks Cruise Control (the executor itself registers no fallbacks).
        services.TryAddSingleton<IBrokerReplicaCounts, CruiseControlBrokerReplicaCounts>();
        services.TryAddSingleton<IRebalanceActivity, CruiseControlRebalanceActivity>();
        services.TryAddSingleton<CruiseControlCapacityOpinion>();

        services.TryAddSingleton<CruiseControlOperations>();
        services.TryAddSingleton<RebalancePolicy>();
        services.TryAddSingleton<RebalanceResults>();
        services.TryAddSingleton<RebalanceStarter>();
        services.TryAddSingleton<ClusterLocks>();
        services.TryAddSingleton<CustomObjectClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IClusterRebalance, StrimziRebalanceCheck>());
        services.TryAddSingleton<IRebalanceCheck, RebalanceCheck>();
        return services;
    }
}
