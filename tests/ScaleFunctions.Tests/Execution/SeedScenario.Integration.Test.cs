using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The night in the seed article, replayed against the executor: a rebalance makes partition counts move, a
/// PartitionCountLow alert asks for a downScale, under-replication asks for an upScale, and more upScale alerts from
/// other rules follow. There the cluster went 3 → 2 → 4 brokers. Here it never goes below its minimum, and grows by
/// one broker only for a need that outlives the rebalance.
/// </summary>
public sealed class SeedScenarioIntegrationTest
{
    [Fact]
    public async Task A_rebalance_never_drives_the_cluster_3_to_2_to_4()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:MinBrokers"] = "3");
        var counts = new List<int> { Brokers(harness) };

        // A rebalance runs. PartitionCountLow asks for a downScale: the cluster is at its minimum.
        harness.Rebalance.Moving = "CruiseControlOperation kafka-rebalance-1 is inExecution (rebalance)";
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.MinBrokers, harness.LastDecision["Reason"], StringComparison.Ordinal);

        // Replicas moving make BrokerUnderReplicated fire: the upScale waits for the rebalance to end.
        var underReplicated = harness.Command(ScaleCommandKind.UpScale, fingerprint: "under-replicated");
        await harness.HandleAsync(underReplicated);
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.RebalanceInProgress, harness.LastDecision["Reason"], StringComparison.Ordinal);

        // The rebalance ends and the alert resolves with it: the deferred upScale is cancelled.
        harness.Rebalance.Moving = null;
        await harness.Resolutions.RecordAsync(underReplicated.Cluster, underReplicated.Alerts, CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.HandleAsync(Assert.Single(harness.Queue.Deferred).Command);
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);

        // A real need afterwards (PartitionCountHigh), and another rule firing at the same moment: one broker, not two.
        var partitionCountHigh = harness.Command(ScaleCommandKind.UpScale, fingerprint: "partition-count-high");
        var brokerOverloaded = harness.Command(ScaleCommandKind.UpScale, fingerprint: "broker-overloaded");
        await harness.HandleAsync(partitionCountHigh);
        counts.Add(Brokers(harness));
        harness.Time.Advance(TimeSpan.FromMinutes(11)); // past the scale-up cooldown
        await harness.HandleAsync(brokerOverloaded);
        counts.Add(Brokers(harness));
        Assert.StartsWith(ReasonCodes.Superseded, harness.LastDecision["Reason"], StringComparison.Ordinal);

        Assert.Equal([3, 3, 3, 3, 4, 4], counts);
        Assert.Single(harness.Writes);
    }

    private static int Brokers(ExecutorHarness harness) => KafkaClusterFixture.BrokerIds(harness.Cluster).Count;
}
