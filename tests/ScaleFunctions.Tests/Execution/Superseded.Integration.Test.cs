using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// A broker-count command created before the broker count last changed was decided on a cluster that no longer
/// exists: dropped (Superseded), never applied after the cooldown. A command created after the change waits out the
/// cooldown as usual; storage commands are never superseded.
/// </summary>
public sealed class SupersededIntegrationTest
{
    [Fact]
    public async Task Two_upscales_from_different_alert_groups_add_one_broker_not_two()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var first = harness.Command(ScaleCommandKind.UpScale, fingerprint: "group-a");
        var second = harness.Command(ScaleCommandKind.UpScale, fingerprint: "group-b");
        harness.Time.Advance(TimeSpan.FromSeconds(30));

        await harness.HandleAsync(first);
        await harness.HandleAsync(second);
        harness.Time.Advance(TimeSpan.FromMinutes(11));
        await harness.HandleAsync(second);

        Assert.Single(harness.Writes);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Empty(harness.Queue.Deferred);
        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Superseded, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deferred_command_keeps_its_creation_time_and_is_superseded_by_a_change_made_meanwhile()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterRollingUpgrading");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, fingerprint: "group-a"));
        var (deferred, _) = Assert.Single(harness.Queue.Deferred);

        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterRunning");
        harness.Time.Advance(TimeSpan.FromSeconds(20));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, fingerprint: "group-b"));
        harness.Time.Advance(TimeSpan.FromSeconds(40));
        await harness.HandleAsync(deferred);

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.Superseded, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scale_down_decided_before_a_scale_up_is_superseded_by_it()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:FlapWindow"] = "00:00:00");
        var down = harness.Command(ScaleCommandKind.DownScale);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        await harness.HandleAsync(down);

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.Superseded, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_created_after_the_change_waits_out_the_cooldown_and_then_acts()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Time.Advance(TimeSpan.FromMinutes(4));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.StartsWith(ReasonCodes.ScaleUpCooldown, harness.LastDecision["Reason"], StringComparison.Ordinal);
        harness.Time.Advance(delay!.Value);
        await harness.HandleAsync(deferred);

        Assert.Equal(2, harness.Writes.Count);
        Assert.Equal([0, 1, 2, 3, 4], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task Storage_changes_neither_supersede_nor_are_superseded()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        var up = harness.Command(ScaleCommandKind.UpScale);
        var addPvc = harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "50Gi" }, new ScaleTarget(PersistentVolumeClaim: "kafka-1-storage-0-x7k2p"));
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        var resize = harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "10Gi" }, new ScaleTarget(PersistentVolumeClaim: "kafka-2-storage-0-x7k2p"));
        harness.Time.Advance(TimeSpan.FromSeconds(5));

        await harness.HandleAsync(resize);
        await harness.HandleAsync(up);
        await harness.HandleAsync(addPvc);

        Assert.Equal(3, harness.Writes.Count);
        Assert.All(harness.Decisions, d => Assert.Equal("Acted", d["Outcome"]));
    }
}
