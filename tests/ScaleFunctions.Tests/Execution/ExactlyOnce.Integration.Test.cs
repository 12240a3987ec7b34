using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>One action per command and per alert, even when the message is replayed or two executors race.</summary>
public sealed class ExactlyOnceIntegrationTest
{
    [Fact]
    public async Task A_replayed_command_is_a_no_op()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        var command = harness.Command(ScaleCommandKind.UpScale);

        await harness.HandleAsync(command);
        await harness.HandleAsync(command);

        Assert.Single(harness.Writes);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Replay, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_command_for_an_alert_already_acted_on_is_a_no_op()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        var first = harness.Command(ScaleCommandKind.UpScale, fingerprint: "same-alert");
        await harness.HandleAsync(first);

        await harness.HandleAsync(first with { IdempotencyKey = "another-key" });

        Assert.Single(harness.Writes);
        Assert.StartsWith(ReasonCodes.AlertAlreadyActedOn, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_executors_racing_on_one_command_act_once_and_the_loser_sees_a_replay()
    {
        await using var first = await ExecutorHarness.StartAsync();
        await using var second = await ExecutorHarness.StartAsync(sharedApi: first.Api);
        var command = first.Command(ScaleCommandKind.UpScale, key: "shared");
        var hold = first.Api.Faults.Hold("PUT");

        var racing = first.HandleAsync(command);
        await hold.Reached;
        await second.HandleAsync(command);
        hold.Release();
        await racing;

        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(first.Cluster));
        Assert.Equal("Acted", second.LastDecision["Outcome"]);
        Assert.Contains(first.Logs.Entries, e => e.EventId.Id == 1103);
        Assert.Equal("Ignored", first.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Replay, first.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Single(first.Decisions);
    }

    [Fact]
    public async Task Two_executors_racing_on_different_commands_act_once_and_the_losers_command_is_superseded()
    {
        await using var first = await ExecutorHarness.StartAsync();
        await using var second = await ExecutorHarness.StartAsync(sharedApi: first.Api);
        var hold = first.Api.Faults.Hold("PUT");

        var racing = first.HandleAsync(first.Command(ScaleCommandKind.UpScale, key: "a", fingerprint: "alert-a"));
        await hold.Reached;
        await second.HandleAsync(second.Command(ScaleCommandKind.UpScale, key: "b", fingerprint: "alert-b"));
        hold.Release();
        await racing;

        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(first.Cluster));
        Assert.Equal("Ignored", first.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.Superseded, first.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(first.Queue.Deferred);
    }

    [Fact]
    public async Task Conflicts_on_every_attempt_are_thrown_for_the_queue_to_retry()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Fail(409, "Conflict", "PUT", times: 5);

        await Assert.ThrowsAsync<ScaleConflictException>(() => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale)));

        Assert.Equal(5, harness.Writes.Count);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Empty(harness.Decisions);
    }
}
