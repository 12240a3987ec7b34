using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The settle window (Executor:SettleWindow, default 5 min): a broker-count change moves data, the move fires alerts
/// (under-replication) that ask for another broker-count change. Those commands wait until the window ends; an alert
/// that resolved meanwhile cancels its command, one that still fires acts.
/// </summary>
public sealed class SettleWindowIntegrationTest
{
    [Fact]
    public async Task An_upscale_fired_by_the_moves_own_alert_waits_out_the_window_and_is_cancelled_when_the_alert_resolves()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, fingerprint: "load"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var underReplicated = harness.Command(ScaleCommandKind.UpScale, fingerprint: "under-replicated");

        await harness.HandleAsync(underReplicated);
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.SettleWindow, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(4), delay);

        await harness.Resolutions.RecordAsync(underReplicated.Cluster, underReplicated.Alerts, CancellationToken.None);
        harness.Time.Advance(delay!.Value);
        await harness.HandleAsync(deferred);

        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Single(harness.Writes);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task An_upscale_whose_alert_still_fires_after_the_window_acts()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, fingerprint: "load"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, fingerprint: "more-load"));
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        harness.Time.Advance(delay!.Value);
        await harness.HandleAsync(deferred);

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Equal(2, harness.Writes.Count);
        Assert.Equal([0, 1, 2, 3, 4], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task With_the_default_settings_a_downscale_is_not_reversed_by_its_own_under_replication()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, fingerprint: "low-load"));
        Assert.Equal([0, 1], KafkaClusterFixture.BrokerIds(harness.Cluster));
        harness.Time.Advance(TimeSpan.FromSeconds(20));
        var underReplicated = harness.Command(ScaleCommandKind.UpScale, fingerprint: "under-replicated");

        await harness.HandleAsync(underReplicated);
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.StartsWith(ReasonCodes.SettleWindow, harness.LastDecision["Reason"], StringComparison.Ordinal);
        await harness.Resolutions.RecordAsync(underReplicated.Cluster, underReplicated.Alerts, CancellationToken.None);
        harness.Time.Advance(delay!.Value);
        await harness.HandleAsync(deferred);

        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Single(harness.Writes);
        Assert.Equal([0, 1], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Theory]
    [InlineData("00:05:00", "00:00:00", ReasonCodes.SettleWindow, "2025-01-15T10:05:00Z")]
    [InlineData("00:00:00", "00:10:00", ReasonCodes.FlapGuard, "2025-01-15T10:10:00Z")]
    public async Task The_rebalance_check_sees_the_cluster_held_by_every_hold_not_only_the_cooldowns(string settle, string flap, string code, string until)
    {
        await using var harness = await ExecutorHarness.StartAsync(s =>
        {
            s["Executor:ScaleUpCooldown"] = "00:01:00";
            s["Executor:SettleWindow"] = settle;
            s["Executor:FlapWindow"] = flap;
        });
        var activity = (IScaleActivity)harness.Services.GetService(typeof(IScaleActivity))!;
        var cluster = new ManagedClusterOptions { Namespace = "kafka", Name = "kafka" };
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        harness.Time.Advance(TimeSpan.FromMinutes(2));
        var held = await activity.GetAsync(cluster, CancellationToken.None);
        harness.Time.SetUtcNow(DateTimeOffset.Parse(until, System.Globalization.CultureInfo.InvariantCulture));
        var after = await activity.GetAsync(cluster, CancellationToken.None);

        Assert.True(held.InCooldown);
        Assert.Contains($"{code}: ", held.Reason, StringComparison.Ordinal);
        Assert.Contains($"until {until}", held.Reason, StringComparison.Ordinal);
        Assert.True(after.IsResting);
    }
}
