using System.Globalization;
using Xunit.Abstractions;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>
/// The field-findings scenarios' shared parts, whatever the operator (<see cref="ILoopCluster"/>): the load wave, the
/// time-compressed guard settings, and the phases that advance by events — a phase ends when the cluster serves the
/// brokers it needs and everything is quiet, or after a bounded number of Prometheus scrapes — never by sleeping.
/// </summary>
public static class ClosedLoopScenario
{
    /// <summary>Per-broker request rate: above 500 BrokerOverLoaded (upScale), below 300 BrokerUnderLoaded (downScale).</summary>
    public static readonly (string Name, double Rate, int Brokers)[] Wave =
    [
        ("rise: needs 4", 1800, 4),   // 3 brokers: 600 each → 4: 450
        ("peak: needs 5", 2400, 5),   // 4: 600 → 5: 480
        ("fall: needs 4", 1400, 4),   // 5: 280 → 4: 350
        ("fall: needs 3", 1000, 3),   // 4: 250 → 3: 333 (MinBrokers)
    ];

    public const double RestingRate = 1200; // 3 brokers: 400 each, no alert

    /// <summary>Data movement after every change: the issue's 20 s at this test's time scale.</summary>
    public static readonly TimeSpan UnderReplication = TimeSpan.FromSeconds(4);

    public const int QuietTicks = 3;

    public const int MaxTicksPerPhase = 45;

    /// <summary>MinBrokers 3, MaxBrokers 8 and the guards time-compressed, with <paramref name="extra"/> on top.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra = null)
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

        return settings;
    }

    /// <summary>
    /// Runs <see cref="Wave"/>: each phase sets the load and lasts until the cluster serves what it needs and is quiet
    /// (or <paramref name="maxTicksPerPhase"/> scrapes have passed).
    /// </summary>
    public static async Task RunWaveAsync(ClosedLoopRig rig, ITestOutputHelper output, int maxTicksPerPhase = MaxTicksPerPhase)
    {
        await SettleAsync(rig, output, "before the wave");
        foreach (var (name, rate, brokers) in Wave)
        {
            var from = rig.Elapsed;
            var changes = rig.History.Count;
            rig.Exporter.RequestRate = rate;
            var quiet = new ClosedLoopRig.Counter();
            var reached = await rig.TickUntilAsync(async s => s.Serving.Count == brokers & await rig.QuietAsync(s, QuietTicks, quiet), maxTicksPerPhase);
            var moves = rig.History.Skip(changes).ToList();
            output.WriteLine(
                $"phase '{name}' (load {rate}/s) from {Seconds(from)}: {(reached ? "reached" : "NOT reached")} {brokers} brokers; "
                + (moves.Count == 0 ? "no change" : string.Join(", ", moves.Select(m => $"{m.From}→{m.To} {Seconds(m.At - from)} after the load changed")))
                + $"; phase over at {Seconds(rig.Elapsed)}");
        }

        Report(rig, output, "wave over");
    }

    /// <summary>Ticks until the loop is quiet (or the bound passes: then the assertions tell).</summary>
    public static async Task SettleAsync(ClosedLoopRig rig, ITestOutputHelper output, string when)
    {
        var quiet = new ClosedLoopRig.Counter();
        var settled = await rig.TickUntilAsync(s => rig.QuietAsync(s, QuietTicks, quiet), MaxTicksPerPhase);
        output.WriteLine($"{(settled ? "quiet" : "NOT quiet")} {when} at {Seconds(rig.Elapsed)}");
    }

    public static void Report(ClosedLoopRig rig, ITestOutputHelper output, string what)
    {
        output.WriteLine($"{what}; broker counts {string.Join(" → ", rig.Path)} ({rig.Describe()}) in {Seconds(rig.Elapsed)}");
        var decisions = rig.Decisions();
        output.WriteLine(rig.Latency.Describe());
        output.WriteLine("executor decisions: " + string.Join(", ", decisions
            .GroupBy(d => $"{d.Command} {d.Outcome} {d.Code}")
            .Select(g => $"{g.Key} ×{g.Count()}")));
    }

    /// <summary>How often the path changes direction (3 → 4 → 5 → 4 → 3 has one).</summary>
    public static int Reversals(IReadOnlyList<int> path)
    {
        var steps = path.Zip(path.Skip(1), (a, b) => Math.Sign(b - a)).Where(d => d != 0).ToList();
        return steps.Zip(steps.Skip(1), (a, b) => a != b ? 1 : 0).Sum();
    }

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
