using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>What the executor asks before changing the broker count: is Cruise Control moving partitions in the cluster?</summary>
public sealed class CruiseControlRebalanceActivityIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;

    public async Task InitializeAsync() => cruiseControl = await CruiseControlDouble.StartAsync();

    public async Task DisposeAsync() => await cruiseControl.DisposeAsync();

    private static async Task<string?> AskAsync(RebalanceTestHost host) =>
        await host.Services.GetRequiredService<IRebalanceActivity>().GetAsync(host.Services.GetRequiredService<ManagedClusters>().All.Single(), CancellationToken.None);

    private RebalanceTestHost NodePoolHost()
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Clusters__0__Kind"] = "KafkaNodePool";
        settings["Clusters__0__NodePools__0__Name"] = "broker";
        return new RebalanceTestHost(settings);
    }

    [Fact]
    public async Task An_execution_in_cruise_control_is_a_reason_to_wait()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
        await using var host = NodePoolHost();

        var reason = await AskAsync(host);

        Assert.NotNull(reason);
        Assert.Contains("INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS", reason);
        Assert.Contains("0230d401-6a36-430e-9858-fac8f2edde93", reason);
    }

    [Fact]
    public async Task An_idle_cruise_control_moves_nothing()
    {
        await using var host = NodePoolHost();

        Assert.Null(await AskAsync(host));
        Assert.Single(cruiseControl.RequestsTo("state"));
    }

    [Fact]
    public async Task Without_cruise_control_configured_nothing_is_asked()
    {
        await using var host = new RebalanceTestHost(new Dictionary<string, string?> { ["Clusters__0__Namespace"] = "kafka", ["Clusters__0__Name"] = "kafka" });

        Assert.Null(await AskAsync(host));
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task An_unreachable_cruise_control_is_an_error_not_a_go_ahead()
    {
        await using var closed = await CruiseControlDouble.StartAsync();
        var url = closed.BaseUri;
        await closed.DisposeAsync();
        var settings = RebalanceTestHost.DirectCluster(url);
        settings["Clusters__0__Kind"] = "KafkaNodePool";
        settings["Clusters__0__NodePools__0__Name"] = "broker";
        settings["CruiseControl__RetryAttempts"] = "0";
        await using var host = new RebalanceTestHost(settings);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => AskAsync(host));
    }

    [Theory]
    [InlineData("rebalance", null, true)]
    [InlineData("add_broker", "InExecution", true)]
    [InlineData("rebalance", "Completed", false)]
    public async Task An_unfinished_cruise_control_operation_of_a_kafka_cluster_is_a_reason_to_wait(string operation, string? state, bool moving)
    {
        await using var api = new KubernetesApiDouble().WithServiceProxy("kafka", "kafka-cruisecontrol-svc", 8090, cruiseControl);
        api.SeedCruiseControlOperation("kafka-op-1", operation, state);
        await api.StartAsync();
        await using var host = new RebalanceTestHost(
            new Dictionary<string, string?>
            {
                ["Clusters__0__Namespace"] = "kafka",
                ["Clusters__0__Name"] = "kafka",
                ["Clusters__0__CruiseControl__Service"] = "kafka-cruisecontrol-svc",
            },
            kubernetes: api.CreateClient());

        var reason = await AskAsync(host);

        if (moving)
        {
            Assert.Equal($"Koperator has unfinished CruiseControlOperations: kafka-op-1 ({operation} {state ?? "waiting"})", reason);
        }
        else
        {
            Assert.Null(reason);
        }
    }
}
