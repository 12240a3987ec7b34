using ScaleFunctions.Testing;
using ScaleFunctions.Testing.ClosedLoop;
using Xunit.Abstractions;
using static ScaleFunctions.Testing.ClosedLoop.ClosedLoopScenario;

namespace ScaleFunctions.Tests.ClosedLoop;

/// <summary>
/// The app in a closed loop with real Prometheus and real Alertmanager (see <see cref="ClosedLoopRig"/>), time-compressed:
/// scrape and evaluation every second, `for:` 2 s, cooldowns of seconds. The simulation advances by events — a load
/// phase ends when the cluster serves the brokers it needs and everything is quiet, or after a bounded number of
/// Prometheus scrapes — never by sleeping. Assertions read the broker counts the Kubernetes double stored.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClosedLoopIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task The_alert_rules_pass_promtool()
    {
        var (exitCode, text) = await Tools.RunAsync(Tools.Find("promtool"), "check", "rules", ClosedLoopRig.RulesFile);
        Assert.True(exitCode == 0, text);
        Assert.Contains("SUCCESS: 5 rules found", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The seed's night: a manual rebalance leaves one broker of a 3-broker cluster (MinBrokers 3) with few partitions;
    /// PartitionCountLow fires a downScale. There the cluster went 3 → 2 → 4.
    /// </summary>
    [Fact]
    public async Task The_seed_night_a_rebalance_does_not_shrink_the_cluster_below_its_minimum()
    {
        await using var rig = await StartAsync(new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)));
        await SettleAsync(rig, "before the rebalance");

        var rebalanceAt = rig.Elapsed;
        rig.Exporter.ManualRebalance = (BrokerId: 2, Partitions: 20);
        var decided = await rig.TickUntilAsync(_ => Task.FromResult(rig.Decisions().Any(d => d.Command == "downScale")), MaxTicksPerPhase);
        var decidedAt = rig.Elapsed;
        rig.Exporter.ManualRebalance = null;
        await SettleAsync(rig, "after the rebalance");

        Report(rig, $"rebalance at {Seconds(rebalanceAt)}, downScale decided at {Seconds(decidedAt)} ({Seconds(decidedAt - rebalanceAt)} after the rebalance began)");
        Assert.True(decided, "PartitionCountLow's downScale never reached the executor: the scenario did not happen");
        Assert.Contains("PartitionCountLow", rig.Fired);
        var path = rig.Path;
        Assert.True(path.Min() >= 3, $"went below MinBrokers 3: {string.Join(" → ", path)}");
        Assert.True(rig.History.Count(h => h.To > h.From) <= 1, $"more than one upScale: {string.Join(" → ", path)}");
        Assert.True(rig.History.All(h => h.To > h.From), $"a downScale happened: {string.Join(" → ", path)}");
        Assert.Equal(3, path[^1]);
    }

    /// <summary>A load wave that needs 5 brokers at its peak and 3 after: the cluster follows it, one broker at a time.</summary>
    [Fact]
    public async Task A_load_wave_is_followed_up_and_down_with_no_extra_reversal()
    {
        await using var rig = await StartAsync(new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.Zero));
        await RunWaveAsync(rig);

        Assert.Equal([3, 4, 5, 4, 3], rig.Path);
    }

    /// <summary>
    /// The same wave where every broker-count change causes a period of under-replication (data movement) that fires
    /// BrokerUnderReplicated (upScale): the app's own moves must not make it flap.
    /// </summary>
    [Fact]
    public async Task A_load_wave_with_under_replication_after_every_change_does_not_flap()
    {
        await using var rig = await StartAsync(new KafkaSimulation(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), UnderReplication));
        await RunWaveAsync(rig);

        Assert.Contains("BrokerUnderReplicated", rig.Fired); // the moves did cause under-replication alerts
        var path = rig.Path;
        Assert.True(path.Min() >= 3, $"went below MinBrokers 3: {string.Join(" → ", path)}");
        Assert.True(Reversals(path) <= 1, $"reversals beyond the wave's own: {string.Join(" → ", path)}");
        Assert.Equal(3, path[^1]);
    }

    private async Task<ClosedLoopRig> StartAsync(KafkaSimulation simulation, IDictionary<string, string?>? extra = null)
    {
        var rig = await ClosedLoopRig.StartAsync(azurite.ConnectionString, simulation, RestingRate, Settings(extra));
        output.WriteLine($"loop started in {Seconds(rig.Elapsed)}");
        return rig;
    }

    private Task RunWaveAsync(ClosedLoopRig rig) => ClosedLoopScenario.RunWaveAsync(rig, output);

    private Task SettleAsync(ClosedLoopRig rig, string when) => ClosedLoopScenario.SettleAsync(rig, output, when);

    private void Report(ClosedLoopRig rig, string what) => ClosedLoopScenario.Report(rig, output, what);
}
