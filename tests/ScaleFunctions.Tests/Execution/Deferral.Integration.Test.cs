using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>Deferral until expiry, and cancellation by resolved alerts.</summary>
public sealed class DeferralIntegrationTest
{
    [Fact]
    public async Task A_deferred_command_is_retried_until_it_expires_then_dropped()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterReconciling");
        var command = harness.Command(ScaleCommandKind.UpScale);

        for (var i = 0; i < 15 && harness.Time.GetUtcNow() < command.ExpiresAt; i++)
        {
            await harness.HandleAsync(command);
            command = harness.Queue.Deferred[^1].Command;
            harness.Time.Advance(harness.Queue.Deferred[^1].Delay!.Value);
        }

        await harness.HandleAsync(command);

        Assert.Equal(15, harness.Queue.Deferred.Count);
        Assert.Equal(15, command.Deferrals);
        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Expired, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
    }

    [Fact]
    public async Task A_deferred_command_acts_once_the_cluster_is_running_again()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterReconciling");
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterRunning");
        harness.Time.Advance(TimeSpan.FromMinutes(1));

        await harness.HandleAsync(harness.Queue.Deferred[^1].Command);

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task A_command_whose_alerts_all_resolved_is_cancelled_without_touching_the_cluster()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var command = harness.Command(ScaleCommandKind.UpScale);
        await harness.Resolutions.RecordAsync(command.Cluster, command.Alerts, CancellationToken.None);

        await harness.HandleAsync(command);

        Assert.Empty(harness.Api.Requests);
        Assert.Empty(harness.Queue.Deferred);
        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_with_one_alert_still_firing_is_not_cancelled()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var command = harness.Command(ScaleCommandKind.UpScale) is var c
            ? c with { Alerts = [c.Alerts[0], new AlertRef("other", "KafkaAlert", c.CreatedAt)] }
            : null!;
        await harness.Resolutions.RecordAsync(command.Cluster, [command.Alerts[0]], CancellationToken.None);

        await harness.HandleAsync(command);

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
    }

    [Fact]
    public async Task A_deferred_command_is_cancelled_when_its_alert_resolves_meanwhile()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterReconciling");
        var command = harness.Command(ScaleCommandKind.UpScale);
        await harness.HandleAsync(command);
        await harness.Resolutions.RecordAsync(command.Cluster, command.Alerts, CancellationToken.None);
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterRunning");

        await harness.HandleAsync(harness.Queue.Deferred[^1].Command);

        Assert.StartsWith(ReasonCodes.Cancelled, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
    }
}
