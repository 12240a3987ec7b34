using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Tests.Koperator;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The pure guards on one reading of the cluster: the holds after the executor's own actions (cooldowns, flap guard,
/// settle window), which one wins, and how they meet Superseded and the command's expiry.
/// </summary>
public sealed class ScaleGuardsTest
{
    private static readonly DateTimeOffset Changed = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly ManagedClusterOptions Managed = new() { Namespace = "kafka", Name = "kafka", MinBrokers = 1, MaxBrokers = 6 };

    /// <summary>Only the settle window: cooldowns and flap guard off.</summary>
    private static ExecutorOptions SettleOnly(TimeSpan? settle = null) => new()
    {
        ScaleUpCooldown = TimeSpan.Zero,
        ScaleDownCooldown = TimeSpan.Zero,
        FlapWindow = TimeSpan.Zero,
        SettleWindow = settle ?? TimeSpan.FromMinutes(5),
    };

    [Theory]
    [InlineData(ScaleCommandKind.UpScale, ScaleCommandKind.UpScale)]
    [InlineData(ScaleCommandKind.UpScale, ScaleCommandKind.DownScale)]
    [InlineData(ScaleCommandKind.DownScale, ScaleCommandKind.UpScale)]
    [InlineData(ScaleCommandKind.DownScale, ScaleCommandKind.DownScale)]
    public void Every_broker_count_command_waits_out_the_settle_window_after_every_broker_count_change(ScaleCommandKind last, ScaleCommandKind next)
    {
        var cluster = ClusterAfter(last, Changed);
        var now = Changed.AddMinutes(1);

        var decision = KoperatorDecisions.Decide(SettleOnly(), Command(next, now), Managed, cluster, now);

        Assert.Equal(DecisionOutcome.Deferred, decision.Outcome);
        Assert.Equal(ReasonCodes.SettleWindow, decision.ReasonCode);
        Assert.Equal(TimeSpan.FromMinutes(4), decision.DeferFor);
        Assert.Contains("until 2025-01-15T10:05:00Z", decision.Reason, StringComparison.Ordinal);
        Assert.Null(decision.Patch);
    }

    [Fact]
    public void A_broker_count_command_acts_once_the_settle_window_has_ended()
    {
        var cluster = ClusterAfter(ScaleCommandKind.DownScale, Changed);
        var command = Command(ScaleCommandKind.UpScale, Changed.AddMinutes(1));

        var decision = KoperatorDecisions.Decide(SettleOnly(), command, Managed, cluster, Changed.AddMinutes(5));

        Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
    }

    [Fact]
    public void A_zero_settle_window_holds_nothing()
    {
        var cluster = ClusterAfter(ScaleCommandKind.DownScale, Changed);
        var now = Changed.AddSeconds(10);

        var decision = KoperatorDecisions.Decide(SettleOnly(TimeSpan.Zero), Command(ScaleCommandKind.UpScale, now), Managed, cluster, now);

        Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
    }

    [Theory]
    [InlineData(ScaleCommandKind.AddPvc)]
    [InlineData(ScaleCommandKind.ResizePvc)]
    public void Storage_commands_are_not_held_by_the_settle_window(ScaleCommandKind kind)
    {
        var guard = KoperatorAdapter.Read(ClusterAfter(ScaleCommandKind.UpScale, Changed)).Guard;
        var guards = new ScaleGuards(SettleOnly());

        Assert.Null(guards.LongestHold(guard, kind, Changed.AddMinutes(1)));
        Assert.Equal(ReasonCodes.SettleWindow, guards.LongestHold(guard, ScaleCommandKind.UpScale, Changed.AddMinutes(1))?.Code);
    }

    [Fact]
    public void A_command_created_before_the_change_is_superseded_not_held()
    {
        var cluster = ClusterAfter(ScaleCommandKind.UpScale, Changed);

        var decision = KoperatorDecisions.Decide(SettleOnly(), Command(ScaleCommandKind.UpScale, Changed.AddSeconds(-30)), Managed, cluster, Changed.AddMinutes(1));

        Assert.Equal(DecisionOutcome.Ignored, decision.Outcome);
        Assert.Equal(ReasonCodes.Superseded, decision.ReasonCode);
    }

    [Fact]
    public void A_settle_window_that_outlasts_the_command_refuses_it()
    {
        var cluster = ClusterAfter(ScaleCommandKind.DownScale, Changed);
        var now = Changed.AddMinutes(1);
        var command = Command(ScaleCommandKind.UpScale, now) with { ExpiresAt = Changed.AddMinutes(5) };

        var decision = KoperatorDecisions.Decide(SettleOnly(), command, Managed, cluster, now);

        Assert.Equal(DecisionOutcome.Refused, decision.Outcome);
        Assert.Equal(ReasonCodes.SettleWindow, decision.ReasonCode);
        Assert.Contains("after the command expires", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hold_that_ends_last_decides_and_names_its_reason()
    {
        var cluster = ClusterAfter(ScaleCommandKind.UpScale, Changed);
        var now = Changed.AddMinutes(1);
        var cooldownLonger = new ExecutorOptions { ScaleUpCooldown = TimeSpan.FromMinutes(10), SettleWindow = TimeSpan.FromMinutes(5) };
        var settleLonger = new ExecutorOptions { ScaleUpCooldown = TimeSpan.FromMinutes(10), SettleWindow = TimeSpan.FromMinutes(12) };

        var byCooldown = KoperatorDecisions.Decide(cooldownLonger, Command(ScaleCommandKind.UpScale, now), Managed, cluster, now);
        var bySettle = KoperatorDecisions.Decide(settleLonger, Command(ScaleCommandKind.UpScale, now), Managed, cluster, now);

        Assert.Equal((ReasonCodes.ScaleUpCooldown, TimeSpan.FromMinutes(9)), (byCooldown.ReasonCode, byCooldown.DeferFor));
        Assert.Equal((ReasonCodes.SettleWindow, TimeSpan.FromMinutes(11)), (bySettle.ReasonCode, bySettle.DeferFor));
    }

    [Fact]
    public void The_flap_guard_still_holds_a_downscale_after_the_settle_window()
    {
        var cluster = ClusterAfter(ScaleCommandKind.UpScale, Changed);
        var now = Changed.AddMinutes(6);
        var options = new ExecutorOptions { FlapWindow = TimeSpan.FromMinutes(15), SettleWindow = TimeSpan.FromMinutes(5) };

        var decision = KoperatorDecisions.Decide(options, Command(ScaleCommandKind.DownScale, now), Managed, cluster, now);

        Assert.Equal(ReasonCodes.FlapGuard, decision.ReasonCode);
        Assert.Equal(TimeSpan.FromMinutes(9), decision.DeferFor);
    }

    /// <summary>The sample cluster (brokers 0–2, Running) right after the executor's <paramref name="kind"/> at <paramref name="at"/>.</summary>
    private static KafkaClusterResource ClusterAfter(ScaleCommandKind kind, DateTimeOffset at)
    {
        var json = KoperatorFiles.SampleKafkaCluster();
        json["status"] = new JsonObject { ["state"] = KafkaClusterResource.RunningState };
        json["metadata"]!["resourceVersion"] = "1";
        return KoperatorDecisions.WithGuard(new KafkaClusterResource(json), new GuardState(null, null, null, null, [], [])
            .After(kind != ScaleCommandKind.DownScale, ScaleGuards.ChangesBrokerCount(kind), at, $"{kind} at {at:O}", "earlier", ["earlier-alert"], 100));
    }

    private static ScaleCommand Command(ScaleCommandKind kind, DateTimeOffset createdAt) => new()
    {
        IdempotencyKey = $"key-{kind}-{createdAt.ToUnixTimeSeconds()}",
        Command = kind,
        Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
        Alerts = [new AlertRef($"fp-{createdAt.ToUnixTimeSeconds()}", "BrokerUnderReplicated", createdAt)],
        CreatedAt = createdAt,
        ExpiresAt = createdAt.AddMinutes(15),
    };
}
