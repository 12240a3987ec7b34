using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using ScaleFunctions.Configuration;
using ScaleFunctions.CruiseControl;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions;

/// <summary>Registers the Cruise Control client and the rebalance check.</summary>
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
            .ValidateOnStart();

        // One named, resilient HttpClient and one health check per managed cluster.
        var global = configuration.GetSection(CruiseControlOptions.SectionName).Get<CruiseControlOptions>() ?? new CruiseControlOptions();
        foreach (var cluster in configuration.GetSection("Clusters").GetChildren())
        {
            if (cluster["Namespace"] is not { Length: > 0 } ns || cluster["Name"] is not { Length: > 0 } name)
            {
                continue; // Reported by the clusters' own validation.
            }

            AddHttpClient(services, ns, name, global);
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                CruiseControlClients.NameFor(ns, name),
                sp => ActivatorUtilities.CreateInstance<CruiseControlHealthCheck>(sp, ns, name),
                failureStatus: HealthStatus.Unhealthy,
                tags: ["cruisecontrol"]));
        }

        services.TryAddSingleton<CruiseControlClients>();

        // Ours wins over the executor's fallback (registered with TryAdd), whatever the registration order.
        services.RemoveAll<IBrokerReplicaCounts>();
        services.AddSingleton<IBrokerReplicaCounts, CruiseControlBrokerReplicaCounts>();

        services.TryAddSingleton<CruiseControlOperations>();
        services.TryAddSingleton<RebalancePolicy>();
        services.TryAddSingleton<RebalanceStarter>();
        services.TryAddSingleton<ClusterLocks>();
        services.TryAddSingleton<IRebalanceCheck, RebalanceCheck>();
        return services;
    }

    private static void AddHttpClient(IServiceCollection services, string @namespace, string name, CruiseControlOptions global)
    {
        services.AddHttpClient(CruiseControlClients.NameFor(@namespace, name), client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var cluster = sp.GetRequiredService<ManagedClusters>().Find(@namespace, name);
                return cluster?.CruiseControl.UsesServiceProxy == true
                    ? new KubernetesServiceProxyHandler(sp.GetRequiredService<k8s.IKubernetes>())
                    : new SocketsHttpHandler();
            })
            .AddStandardResilienceHandler(options => Configure(options, global));
    }

    /// <summary>Standard pipeline, with the retry rules of <see cref="CruiseControlRetry"/> (never a blind retry of an execution).</summary>
    private static void Configure(HttpStandardResilienceOptions options, CruiseControlOptions global)
    {
        options.AttemptTimeout.Timeout = global.AttemptTimeout;
        options.Retry.MaxRetryAttempts = Math.Max(1, global.RetryAttempts);
        options.Retry.Delay = global.RetryDelay;
        options.Retry.ShouldHandle = args => ValueTask.FromResult(
            global.RetryAttempts > 0 && CruiseControlRetry.ShouldRetry(args.Context.GetRequestMessage(), args.Outcome));
        options.CircuitBreaker.SamplingDuration = global.AttemptTimeout * 2 + TimeSpan.FromSeconds(1);
        options.TotalRequestTimeout.Timeout = (global.AttemptTimeout + global.RetryDelay * 4) * (global.RetryAttempts + 1);
    }
}
