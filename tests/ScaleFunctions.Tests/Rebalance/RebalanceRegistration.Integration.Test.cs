using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>The one DI entry point wires the rebalance check, also when clusters are configured after registration (as hosts do).</summary>
public sealed class RebalanceRegistrationIntegrationTest
{
    [Fact]
    public async Task Clusters_configured_after_registration_get_their_client_health_check_and_check()
    {
        await using var cruiseControl = await CruiseControlDouble.StartAsync();
        var configuration = new ConfigurationManager();
        var logs = new LogRecorder();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(logs));
        services.AddScaleFunctions(configuration);
        services.RemoveAll<IScaleActivity>();
        services.AddSingleton<IScaleActivity>(new FakeScaleActivity());
        services.RemoveAll<k8s.IKubernetes>();
        services.AddSingleton<k8s.IKubernetes>(new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
            ["Clusters:0:CruiseControl:Url"] = cruiseControl.BaseUri.ToString(),
            ["Clusters:0:Kind"] = "KafkaNodePool",
            ["Clusters:0:NodePools:0:Name"] = "broker",
            ["Clusters:0:CruiseControl:ExecuteVia"] = "Direct",
            ["Rebalance:FollowPolls"] = "0",
        });
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<RebalanceCheck>(provider.GetRequiredService<IRebalanceCheck>());
        Assert.IsType<CruiseControlBrokerReplicaCounts>(provider.GetRequiredService<IBrokerReplicaCounts>());
        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("cruisecontrol"));
        await provider.GetRequiredService<IRebalanceCheck>().RunAsync(CancellationToken.None);

        Assert.Equal(["cruisecontrol:kafka/kafka"], health.Entries.Keys);
        Assert.Equal(HealthStatus.Healthy, health.Status);

        // A KafkaNodePool (Strimzi) cluster is checked through KafkaRebalances (here: no Kubernetes, so refused), once.
        Assert.Single(logs.Entries, e => e.EventId == DecisionLog.DecisionEvent && e["Stage"] == RebalanceCheck.Stage && e["Cluster"] == "kafka/kafka");
    }

    [Fact]
    public void The_executor_asks_cruise_control_by_default_and_a_registration_made_first_substitutes_it()
    {
        using var byDefault = Provider(substitute: false, out var defaults);
        using var substituted = Provider(substitute: true, out var substitutes);

        Assert.IsType<CruiseControlRebalanceActivity>(byDefault.GetRequiredService<IRebalanceActivity>());
        Assert.IsType<CruiseControlBrokerReplicaCounts>(byDefault.GetRequiredService<IBrokerReplicaCounts>());
        Assert.IsType<NothingMoves>(substituted.GetRequiredService<IRebalanceActivity>());
        Assert.Single(defaults, d => d.ServiceType == typeof(IRebalanceActivity));
        Assert.Single(substitutes, d => d.ServiceType == typeof(IRebalanceActivity));
    }

    private static ServiceProvider Provider(bool substitute, out ServiceCollection services)
    {
        var configuration = new ConfigurationManager();
        configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        services = new ServiceCollection();
        services.AddLogging();
        if (substitute)
        {
            services.AddSingleton<IRebalanceActivity, NothingMoves>();
        }

        services.AddScaleFunctions(configuration);
        services.RemoveAll<k8s.IKubernetes>();
        services.AddSingleton<k8s.IKubernetes>(new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
        return services.BuildServiceProvider();
    }

    private sealed class NothingMoves : IRebalanceActivity
    {
        public Task<string?> GetAsync(ScaleFunctions.Configuration.ManagedClusterOptions cluster, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
