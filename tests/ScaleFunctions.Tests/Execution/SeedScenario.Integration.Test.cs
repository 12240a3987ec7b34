using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The night in the seed article, replayed against the executor: a rebalance makes partition counts move, a
/// PartitionCountLow alert asks for a downScale, under-replication asks for an upScale, and more upScale alerts from
/// other rules follow. There the cluster went 3 → 2 → 4 brokers. Here it never goes below its minimum, and grows by
/// one broker only for a need that outlives the rebalance. The rebalance is the Cruise Control double's: the
/// executor's own Cruise Control client asks its <c>state</c>, as in production.
/// </summary>
public sealed class SeedScenarioIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;

    public async Task InitializeAsync() => cruiseControl = await CruiseControlDouble.StartAsync();

    public async Task DisposeAsync() => await cruiseControl.DisposeAsync();

    [Fact]
    public async Task A_rebalance_never_drives_the_cluster_3_to_2_to_4()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:MinBrokers"] = "3", cruiseControl: cruiseControl);
        var counts = new List<int> { Brokers(harness) };

        // A rebalance runs: Cruise Control's executor is moving replicas. PartitionCountLow asks for a downScale: the
        // cluster is at its minimum.
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.MinBrokers, harness.LastDecision["Reason"], StringComparison.Ordinal);

        // Replicas moving make BrokerUnderReplicated fire: the upScale waits for the rebalance to end.
        var underReplicated = harness.Command(ScaleCommandKind.UpScale, fingerprint: "under-replicated");
        var asked = cruiseControl.RequestsTo("state").Count();
        await harness.HandleAsync(underReplicated);
        counts.Add(Brokers(harness));
        Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.RebalanceInProgress, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("0230d401-6a36-430e-9858-fac8f2edde93", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(asked + 1, cruiseControl.RequestsTo("state").Count());

        // The rebalance ends and the alert resolves with it: the deferred upScale is cancelled.
        cruiseControl.SetDefault("state", CruiseControlReply.StateIdle);
        await harness.Resolutions.RecordAsync(underReplicated.Cluster, underReplicated.Alerts, CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.HandleAsync(Assert.Single(harness.Queue.Deferred).Command);
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);

        // A real need afterwards (PartitionCountHigh), and another rule firing at the same moment: one broker, not two.
        // Cruise Control is idle now, so nothing holds the first back.
        var partitionCountHigh = harness.Command(ScaleCommandKind.UpScale, fingerprint: "partition-count-high");
        var brokerOverloaded = harness.Command(ScaleCommandKind.UpScale, fingerprint: "broker-overloaded");
        await harness.HandleAsync(partitionCountHigh);
        counts.Add(Brokers(harness));
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        harness.Time.Advance(TimeSpan.FromMinutes(11)); // past the scale-up cooldown
        await harness.HandleAsync(brokerOverloaded);
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.Superseded, harness.LastDecision["Reason"], StringComparison.Ordinal);

        Assert.Equal([3, 3, 3, 3, 4, 4], counts);
        Assert.Single(harness.Writes);
        Assert.DoesNotContain(cruiseControl.Requests, r => r.StartsExecution);
    }

    private static int Brokers(ExecutorHarness harness) => KafkaClusterFixture.BrokerIds(harness.Cluster).Count;
}
