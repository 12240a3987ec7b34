using System.Text.Json.Nodes;
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
        var hold = first.Api.Faults.Hold("PATCH");

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
        var hold = first.Api.Faults.Hold("PATCH");

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
    public async Task A_write_between_the_read_and_the_patch_is_a_409_and_the_executor_reads_again_and_acts_on_the_new_version()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var hold = harness.Api.Faults.Hold("PATCH");

        var executing = harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        await hold.Reached;
        // Someone else (a person, the operator) writes the cluster after the executor read it.
        var written = harness.Api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["metadata"]!["labels"]!["team"] = "streaming");
        hold.Release();
        await executing;

        var writes = harness.Writes.Select(w => JsonNode.Parse(w.Body)!.AsArray()).ToList();
        Assert.Equal(2, writes.Count);
        Assert.Single(harness.Logs.Entries, e => e.EventId.Id == 1103);
        // The second patch is preconditioned on the version the other writer left.
        Assert.Equal("/metadata/resourceVersion", (string?)writes[1][0]!["path"]);
        Assert.NotEqual((string?)writes[0][0]!["value"], (string?)writes[1][0]!["value"]);
        Assert.Equal((string?)written["metadata"]!["resourceVersion"], (string?)writes[1][0]!["value"]);
        Assert.Equal("Acted", Assert.Single(harness.Decisions)["Outcome"]);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Equal("streaming", (string?)harness.Cluster["metadata"]!["labels"]!["team"]);
    }

    [Fact]
    public async Task A_patch_that_no_longer_applies_to_the_changed_cluster_is_a_lost_race_too_not_a_refusal()
    {
        // The API server applies a JSON Patch before it compares resourceVersions: "remove /spec/brokers/2" on a cluster
        // that lost a broker meanwhile answers 422, not 409. The executor reads again, sees a new version, decides again.
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:MinBrokers"] = "1");
        var hold = harness.Api.Faults.Hold("PATCH");

        var executing = harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 2)));
        await hold.Reached;
        harness.Api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["spec"]!["brokers"]!.AsArray().RemoveAt(0));
        hold.Release();
        await executing;

        var removes = harness.Writes.Select(w => JsonNode.Parse(w.Body)!.AsArray().Single(o => (string?)o!["op"] == "remove")!["path"]!.GetValue<string>());
        Assert.Equal(["/spec/brokers/2", "/spec/brokers/1"], removes);
        Assert.Single(harness.Logs.Entries, e => e.EventId.Id == 1103);
        Assert.Equal("Acted", Assert.Single(harness.Decisions)["Outcome"]);
        Assert.Equal([1], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task Conflicts_on_every_attempt_are_thrown_for_the_queue_to_retry()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Fail(409, "Conflict", "PATCH", times: 5);

        await Assert.ThrowsAsync<ScaleConflictException>(() => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale)));

        Assert.Equal(5, harness.Writes.Count);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Empty(harness.Decisions);
    }
}
