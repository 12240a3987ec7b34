using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>Busy clusters and cooldowns defer (the command goes back on the queue, one deferral more); nothing is written.</summary>
public sealed class GuardsIntegrationTest
{
    [Fact]
    public async Task A_cluster_that_is_not_running_defers_the_command()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterRollingUpgrading");
        var command = harness.Command(ScaleCommandKind.UpScale);

        await harness.HandleAsync(command);

        Assert.Empty(harness.Writes);
        Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.ClusterNotRunning, harness.LastDecision["Reason"], StringComparison.Ordinal);
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.Equal(1, deferred.Deferrals);
        Assert.Equal(command.IdempotencyKey, deferred.IdempotencyKey);
        Assert.Equal(TimeSpan.FromMinutes(1), delay);
    }

    [Theory]
    [InlineData("GracefulUpscaleRequired")]
    [InlineData("GracefulUpscaleScheduled")]
    [InlineData("GracefulDownscaleRunning")]
    public async Task A_pending_or_running_graceful_action_defers_the_command(string state)
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.SetBrokerState("kafka", "kafka", 2, state);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.GracefulActionPending, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains($"broker 2 {state}", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_disk_rebalance_defers_the_command_and_a_finished_one_does_not()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.SetBrokerState("kafka", "kafka", 1, "GracefulUpscaleSucceeded", new Dictionary<string, string> { ["/kafka-logs"] = "GracefulDiskRebalanceRunning" });

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        Assert.StartsWith(ReasonCodes.GracefulActionPending, harness.LastDecision["Reason"], StringComparison.Ordinal);

        harness.Api.SetBrokerState("kafka", "kafka", 1, "GracefulUpscaleSucceeded", new Dictionary<string, string> { ["/kafka-logs"] = "GracefulDiskRebalanceSucceeded" });
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
    }

    [Fact]
    public async Task Scale_up_cooldown_defers_until_it_ends()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Time.Advance(TimeSpan.FromMinutes(4));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.ScaleUpCooldown, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(6), Assert.Single(harness.Queue.Deferred).Delay);

        harness.Time.Advance(TimeSpan.FromMinutes(6));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        Assert.Equal(2, harness.Writes.Count);
    }

    [Fact]
    public async Task A_command_back_a_moment_before_its_cooldown_ends_waits_only_for_that_moment_then_acts()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Time.Advance(TimeSpan.FromMinutes(4));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.Equal(TimeSpan.FromMinutes(6), delay);

        // The queue hands it back 0.4 s early (its visibility delay has whole seconds, the clocks differ).
        harness.Time.Advance(delay!.Value - TimeSpan.FromMilliseconds(400));
        await harness.HandleAsync(deferred);
        var (again, rest) = harness.Queue.Deferred[^1];
        Assert.StartsWith(ReasonCodes.ScaleUpCooldown, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.True(rest <= TimeSpan.FromSeconds(1), $"deferred for {rest} more, not just the rest of the cooldown");

        harness.Time.Advance(rest!.Value);
        await harness.HandleAsync(again);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Equal(2, harness.Writes.Count);
    }

    [Fact]
    public async Task A_cooldown_that_outlasts_the_command_refuses_it_instead_of_deferring()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "01:00:00");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.ScaleUpCooldown, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Queue.Deferred);
    }

    [Fact]
    public async Task Scale_down_cooldown_defers_a_second_scale_down()
    {
        await using var harness = await ExecutorHarness.StartAsync(s =>
        {
            s["Executor:ScaleDownCooldown"] = "00:10:00";
            s["Executor:FlapWindow"] = "00:05:00";
            s["Clusters:0:MinBrokers"] = "1";
        });
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        harness.Time.Advance(TimeSpan.FromMinutes(6));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.ScaleDownCooldown, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_flap_guard_defers_a_scale_down_soon_after_a_scale_up()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:FlapWindow"] = "00:10:00");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Time.Advance(TimeSpan.FromMinutes(3));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.FlapGuard, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(7), Assert.Single(harness.Queue.Deferred).Delay);

        harness.Time.Advance(TimeSpan.FromMinutes(7));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        Assert.Equal(2, harness.Writes.Count);
    }

    [Fact]
    public async Task Scale_activity_reports_what_keeps_the_cluster_busy()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var activity = harness.Services.GetService(typeof(IScaleActivity)) as IScaleActivity;
        var cluster = new ScaleFunctions.Configuration.ManagedClusterOptions { Namespace = "kafka", Name = "kafka" };

        Assert.True((await activity!.GetAsync(cluster, CancellationToken.None)).IsResting);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Api.SetBrokerState("kafka", "kafka", 3, "GracefulUpscaleRequired");
        var busy = await activity.GetAsync(cluster, CancellationToken.None);

        Assert.True(busy.InCooldown);
        Assert.True(busy.GracefulActionsPending);
        Assert.False(busy.ScalingInProgress);
        Assert.Contains("broker 3 GracefulUpscaleRequired", busy.Reason, StringComparison.Ordinal);
    }
}
