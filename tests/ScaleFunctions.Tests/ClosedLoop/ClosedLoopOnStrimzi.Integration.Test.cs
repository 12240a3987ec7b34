using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.ClosedLoop;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Strimzi;
using Xunit.Abstractions;
using static ScaleFunctions.Testing.ClosedLoop.ClosedLoopScenario;

namespace ScaleFunctions.Tests.ClosedLoop;

/// <summary>
/// The field-findings scenarios of <see cref="ClosedLoopIntegrationTest"/> once more on a Strimzi cluster
/// (<see cref="StrimziLoopCluster"/>): Kafka my-cluster, one managed broker-only KafkaNodePool, Strimzi's own
/// auto-rebalancing for add-brokers only — so a new broker gets replicas, and a downScale is the app's to drain with a
/// remove-brokers KafkaRebalance before it lowers <c>spec.replicas</c>. The simulated Strimzi operator takes one round
/// at every Prometheus scrape; the exporter follows the pool's <c>status.nodeIds</c>; the alerts carry Strimzi's labels
/// and the intake reads the cluster from <c>strimzi_io_cluster</c>. Same rules, load and guard settings as Koperator's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StrimziClosedLoopOnPrometheusIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output)
{
    /// <summary>A downScale's drain takes the simulated operator 4 more rounds (scrapes) than Koperator's: a wider failure bound.</summary>
    private const int MaxTicksPerDrainingPhase = MaxTicksPerPhase + 15;

    [Fact]
    public async Task The_Strimzi_alert_rules_pass_promtool()
    {
        var (exitCode, text) = await Tools.RunAsync(Tools.Find("promtool"), "check", "rules", StrimziLoopCluster.Rules);
        Assert.True(exitCode == 0, text);
        Assert.Contains("SUCCESS: 5 rules found", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The seed's night in Strimzi's terms: a person's KafkaRebalance runs and leaves broker 2 with few partitions
    /// while it does; PartitionCountLow fires a downScale. The pool stays at 3 brokers and the app writes nothing to it.
    /// </summary>
    [Fact]
    public async Task The_seed_night_a_KafkaRebalance_does_not_shrink_the_pool()
    {
        var cluster = new StrimziLoopCluster(Options());
        await using var rig = await StartAsync(cluster, new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)));
        await SettleAsync(rig, output, "before the rebalance");

        var rebalanceAt = rig.Elapsed;
        cluster.With(s =>
        {
            var rebalance = StrimziFiles.SampleKafkaRebalance();
            rebalance["metadata"]!["name"] = "my-rebalance";
            rebalance["metadata"]!["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = StrimziLoopCluster.Name };
            rebalance["metadata"]!["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true" };
            rig.Api.Store.Create(StrimziFiles.RebalanceKey(StrimziLoopCluster.Namespace, "my-rebalance"), rebalance);
            s.ReconcileUntil(() => StrimziSimulator.StateOf(s.Rebalance("my-rebalance")!) == StrimziNames.RebalanceStates.Rebalancing);
            s.Hold("my-rebalance", int.MaxValue);
        });
        rig.Exporter.ManualRebalance = (BrokerId: 2, Partitions: 20);
        var decided = await rig.TickUntilAsync(_ => Task.FromResult(rig.Decisions().Any(d => d.Command == "downScale")), MaxTicksPerPhase);
        var decidedAt = rig.Elapsed;
        rig.Exporter.ManualRebalance = null;
        cluster.With(s => s.Hold("my-rebalance", 0));
        await SettleAsync(rig, output, "after the rebalance");

        Report(rig, output, $"rebalance at {Seconds(rebalanceAt)}, downScale decided at {Seconds(decidedAt)} ({Seconds(decidedAt - rebalanceAt)} after the rebalance began)");
        Assert.True(decided, "PartitionCountLow's downScale never reached the executor: the scenario did not happen");
        Assert.Contains("PartitionCountLow", rig.Fired);
        Assert.Equal([3], rig.Path);
        Assert.DoesNotContain(rig.Decisions(), d => d.Outcome == "Acted");
        Assert.DoesNotContain(rig.Api.Requests, r => r.Method is "PATCH" or "PUT" && r.Path.Contains(StrimziNames.KafkaNodePools, StringComparison.Ordinal));
        Assert.Equal([0, 1, 2], cluster.With(s => s.NodeIds(StrimziLoopCluster.Pool)));
        Assert.Equal(StrimziNames.RebalanceStates.Ready, cluster.With(s => StrimziSimulator.StateOf(s.Rebalance("my-rebalance")!)));
    }

    /// <summary>
    /// The load wave that needs 5 brokers at its peak and 3 after: the pool follows it one broker at a time, and each
    /// downScale drains its broker (which Strimzi had given replicas) before it lowers spec.replicas — Strimzi never
    /// has to revert one.
    /// </summary>
    [Fact]
    public async Task A_load_wave_is_followed_up_and_down_draining_each_broker_before_it_goes()
    {
        var cluster = new StrimziLoopCluster(Options());
        await using var rig = await StartAsync(cluster, new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.Zero));
        await RunWaveAsync(rig, output, MaxTicksPerDrainingPhase);

        Assert.Equal([3, 4, 5, 4, 3], rig.Path);
        AssertDrainedFirst(cluster, expected: 2);
        Assert.Equal(3, cluster.With(s => s.NodeIds(StrimziLoopCluster.Pool)).Count);
    }

    /// <summary>The same wave where every change of the serving brokers causes a period of under-replication: no flapping, no undrained removal.</summary>
    [Fact]
    public async Task A_load_wave_with_under_replication_after_every_change_does_not_flap()
    {
        var cluster = new StrimziLoopCluster(Options());
        await using var rig = await StartAsync(cluster, new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), UnderReplication));
        await RunWaveAsync(rig, output, MaxTicksPerDrainingPhase);

        Assert.Contains("BrokerUnderReplicated", rig.Fired); // the moves did cause under-replication alerts
        var path = rig.Path;
        Assert.True(path.Min() >= 3, $"went below MinBrokers 3: {string.Join(" → ", path)}");
        Assert.True(Reversals(path) <= 1, $"reversals beyond the wave's own: {string.Join(" → ", path)}");
        Assert.Equal(3, path[^1]);
        AssertDrainedFirst(cluster, expected: path.Zip(path.Skip(1)).Count(p => p.Second < p.First));
    }

    /// <summary>Auto-rebalancing for add-brokers only: Strimzi fills a new broker, the app drains one it removes.</summary>
    private static StrimziClusterOptions Options() => new() { AutoRebalance = [StrimziNames.RebalanceModes.AddBrokers] };

    /// <summary>Every lowering named a broker that had held replicas and held none then; Strimzi reverted nothing.</summary>
    private static void AssertDrainedFirst(StrimziLoopCluster cluster, int expected)
    {
        var scaleDowns = cluster.ScaleDowns;
        Assert.Empty(cluster.RevertedScaleDowns);
        Assert.Equal(expected, scaleDowns.Count);
        Assert.All(scaleDowns, d =>
        {
            Assert.True(d.Peak > 0, $"broker {d.Broker} never held a replica: the drain proves nothing");
            Assert.True(d.Replicas == 0, $"spec.replicas lowered while broker {d.Broker} held {d.Replicas} replicas");
        });
    }

    private async Task<ClosedLoopRig> StartAsync(StrimziLoopCluster cluster, KafkaSimulation simulation)
    {
        var rig = await ClosedLoopRig.StartAsync(cluster, azurite.ConnectionString, simulation, RestingRate, Settings());
        output.WriteLine($"loop started in {Seconds(rig.Elapsed)}");
        return rig;
    }
}
