using System.Globalization;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.ClosedLoop;
using Xunit.Abstractions;

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
    /// <summary>Per-broker request rate: above 500 BrokerOverLoaded (upScale), below 300 BrokerUnderLoaded (downScale).</summary>
    private static readonly (string Name, double Rate, int Brokers)[] Wave =
    [
        ("rise: needs 4", 1800, 4),   // 3 brokers: 600 each → 4: 450
        ("peak: needs 5", 2400, 5),   // 4: 600 → 5: 480
        ("fall: needs 4", 1400, 4),   // 5: 280 → 4: 350
        ("fall: needs 3", 1000, 3),   // 4: 250 → 3: 333 (MinBrokers)
    ];

    private const double RestingRate = 1200; // 3 brokers: 400 each, no alert

    /// <summary>Data movement after every change: the issue's 20 s at this test's time scale.</summary>
    private static readonly TimeSpan UnderReplication = TimeSpan.FromSeconds(4);

    private const int QuietTicks = 3;

    private const int MaxTicksPerPhase = 45;

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
        var settings = new Dictionary<string, string?>
        {
            ["Clusters:0:MinBrokers"] = "3",
            ["Clusters:0:MaxBrokers"] = "8",
            // Time-compressed guards (defaults 10 min / 30 min / 30 min / 1 min / 5 min).
            ["Executor:ScaleUpCooldown"] = "00:00:03",
            ["Executor:ScaleDownCooldown"] = "00:00:05",
            ["Executor:FlapWindow"] = "00:00:05",
            ["Executor:DeferralDelay"] = "00:00:01",
            // Covers the tail of a move: under-replication ending, `for:`, Alertmanager's resolved notification (default 5 min).
            ["Executor:SettleWindow"] = "00:00:15",
            ["Intake:CommandTtl"] = "00:01:00",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[name] = value;
        }

        var rig = await ClosedLoopRig.StartAsync(azurite.ConnectionString, simulation, RestingRate, settings);
        output.WriteLine($"loop started in {Seconds(rig.Elapsed)}");
        return rig;
    }

    /// <summary>Runs <see cref="Wave"/>: each phase sets the load and lasts until the cluster serves what it needs and is quiet.</summary>
    private async Task RunWaveAsync(ClosedLoopRig rig)
    {
        await SettleAsync(rig, "before the wave");
        foreach (var (name, rate, brokers) in Wave)
        {
            var from = rig.Elapsed;
            var changes = rig.History.Count;
            rig.Exporter.RequestRate = rate;
            var quiet = new ClosedLoopRig.Counter();
            var reached = await rig.TickUntilAsync(async s => s.Serving.Count == brokers & await rig.QuietAsync(s, QuietTicks, quiet), MaxTicksPerPhase);
            var moves = rig.History.Skip(changes).ToList();
            output.WriteLine(
                $"phase '{name}' (load {rate}/s) from {Seconds(from)}: {(reached ? "reached" : "NOT reached")} {brokers} brokers; "
                + (moves.Count == 0 ? "no change" : string.Join(", ", moves.Select(m => $"{m.From}→{m.To} {Seconds(m.At - from)} after the load changed")))
                + $"; phase over at {Seconds(rig.Elapsed)}");
        }

        Report(rig, "wave over");
    }

    /// <summary>Ticks until the loop is quiet (or the bound passes: then the assertions tell).</summary>
    private async Task SettleAsync(ClosedLoopRig rig, string when)
    {
        var quiet = new ClosedLoopRig.Counter();
        var settled = await rig.TickUntilAsync(s => rig.QuietAsync(s, QuietTicks, quiet), MaxTicksPerPhase);
        output.WriteLine($"{(settled ? "quiet" : "NOT quiet")} {when} at {Seconds(rig.Elapsed)}");
    }

    private void Report(ClosedLoopRig rig, string what)
    {
        output.WriteLine($"{what}; broker counts {string.Join(" → ", rig.Path)} ({rig.Describe()}) in {Seconds(rig.Elapsed)}");
        var decisions = rig.Decisions();
        output.WriteLine(rig.Latency.Describe());
        output.WriteLine("executor decisions: " + string.Join(", ", decisions
            .GroupBy(d => $"{d.Command} {d.Outcome} {d.Code}")
            .Select(g => $"{g.Key} ×{g.Count()}")));
    }

    /// <summary>How often the path changes direction (3 → 4 → 5 → 4 → 3 has one).</summary>
    private static int Reversals(IReadOnlyList<int> path)
    {
        var steps = path.Zip(path.Skip(1), (a, b) => Math.Sign(b - a)).Where(d => d != 0).ToList();
        return steps.Zip(steps.Skip(1), (a, b) => a != b ? 1 : 0).Sum();
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
