using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

public sealed class DownScaleIntegrationTest
{
    private static Action<JsonObject> FourBrokers => c => c["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 3, ["brokerConfigGroup"] = "default" });

    [Fact]
    public async Task Removes_the_broker_the_alert_names()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: FourBrokers);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 1)));

        Assert.Equal([0, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Equal("2025-01-15T10:00:00Z", (string?)harness.Cluster["metadata"]!["annotations"]![GuardState.LastScaleDownAnnotation]);
    }

    [Fact]
    public async Task Without_a_broker_id_removes_the_one_with_the_fewest_replicas()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: FourBrokers);
        harness.ReplicaCounts.Counts = new Dictionary<int, int> { [0] = 40, [1] = 12, [2] = 12, [3] = 30 };

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Equal([0, 1, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Contains("fewest partition replicas (12)", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_replica_counts_removes_the_highest_id()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: FourBrokers);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Contains("highest id", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_broker_that_is_not_in_the_spec()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: FourBrokers);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 9)));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.BrokerNotFound, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public void Never_picks_a_draining_broker()
    {
        var cluster = new KafkaClusterResource(KoperatorFiles.SampleKafkaCluster());
        cluster.Json["status"] = new JsonObject
        {
            ["state"] = "ClusterRunning",
            ["brokersState"] = new JsonObject { ["2"] = new JsonObject { ["gracefulActionState"] = new JsonObject { ["cruiseControlState"] = "GracefulDownscaleRunning" } } },
        };

        var named = DownScalePlanner.Plan(cluster.Copy(), 2, null);
        var chosen = DownScalePlanner.Plan(cluster.Copy(), null, null);
        var byReplicas = DownScalePlanner.Plan(cluster.Copy(), null, new Dictionary<int, int> { [0] = 5, [1] = 5, [2] = 0 });

        Assert.Equal(ReasonCodes.BrokerDraining, named.RefusalCode);
        Assert.Equal(1, chosen.BrokerId);
        Assert.Equal(1, byReplicas.BrokerId);
    }

    [Fact]
    public async Task Refuses_below_MinBrokers()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:MinBrokers"] = "3");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.MinBrokers, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Honours_Koperators_own_downScaleLimit()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: c => c["spec"]!["alertManagerConfig"] = new JsonObject { ["downScaleLimit"] = 3 });

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.DownScaleLimit, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }
}
