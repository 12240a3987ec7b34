using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using static ScaleFunctions.Tests.Strimzi.StrimziTestCluster;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>
/// downScale on Strimzi without auto-rebalancing: the broker is drained by a remove-brokers KafkaRebalance first and
/// spec.replicas is lowered only once it is Ready — across a restart of the executor and with a duplicate delivery in
/// the middle; the state lives on the node pool and the KafkaRebalance, never in the process.
/// </summary>
public sealed class StrimziDrainIntegrationTest
{
    private const string Drain = "my-cluster-scalefunctions-drain-5";

    [Fact]
    public async Task The_broker_is_drained_first_and_removed_once_across_a_restart_and_a_duplicate()
    {
        await using var api = await StartApiAsync();
        var original = default(ScaleCommand)!;
        ScaleCommand continuation;
        await using (var first = await ExecutorAsync(api))
        {
            original = first.StrimziCommand(ScaleCommandKind.DownScale, key: "down-1");
            await first.HandleAsync(original);

            // Step 1: the broker is named to Strimzi, the drain recorded on the pool, the KafkaRebalance created; no replica change.
            Assert.Equal((DecisionOutcome.Deferred.ToString(), ReasonCodes.DrainStarted), (first.LastDecision["Outcome"], first.LastDecision["ReasonCode"]));
            Assert.Contains("drain broker 5 (highest id, Strimzi's default) of node pool broker with KafkaRebalance my-cluster-scalefunctions-drain-5", first.LastDecision["Reason"], StringComparison.Ordinal);
            Assert.Equal(3, api.Replicas());
            Assert.Equal("[5]", api.Annotation(StrimziNames.RemoveNodeIdsAnnotation));
            Assert.Contains("\"command\":\"down-1\"", api.Annotation(PoolDrain.Annotation)!, StringComparison.Ordinal);
            var rebalance = api.Rebalance(Drain)!;
            Assert.Equal(("remove-brokers", 5), ((string?)rebalance["spec"]!["mode"], (int)rebalance["spec"]!["brokers"]![0]!));
            Assert.Equal("true", (string?)rebalance["metadata"]!["annotations"]![StrimziNames.AutoApprovalAnnotation]);
            Assert.Equal(Name, (string?)rebalance["metadata"]!["labels"]![StrimziNames.ClusterLabel]);
            continuation = Assert.Single(first.Queue.Deferred).Command;
            Assert.True(continuation.Continuation);
            Assert.True(continuation.ExpiresAt >= original.CreatedAt + TimeSpan.FromHours(6));
        }

        SetRebalanceState(api, Drain, StrimziNames.RebalanceStates.PendingProposal);
        await using var second = await ExecutorAsync(api); // a restart: nothing in memory
        second.Time.Advance(TimeSpan.FromMinutes(1));
        await second.Resolutions.RecordAsync(continuation.Cluster, continuation.Alerts.ToList(), CancellationToken.None); // resolving mid-drain does not cancel it
        await second.HandleAsync(continuation);
        Assert.Equal((DecisionOutcome.Deferred.ToString(), ReasonCodes.Draining), (second.LastDecision["Outcome"], second.LastDecision["ReasonCode"]));
        Assert.Contains("KafkaRebalance my-cluster-scalefunctions-drain-5 is PendingProposal", second.LastDecision["Reason"], StringComparison.Ordinal);

        // The original message delivered again (the queue's at-least-once) is cancelled by the resolution, changing
        // nothing: only the continuation carries the drain on.
        var writes = second.Writes.Count;
        await second.HandleAsync(original);
        Assert.Equal(ReasonCodes.Cancelled, second.LastDecision["ReasonCode"]);
        Assert.Equal(writes, second.Writes.Count);
        Assert.NotNull(api.Annotation(PoolDrain.Annotation));

        // Any other command of the cluster waits for the drain.
        await second.HandleAsync(second.StrimziCommand(ScaleCommandKind.UpScale, key: "up-2"));
        Assert.Equal(ReasonCodes.KafkaRebalanceActive, second.LastDecision["ReasonCode"]);
        Assert.Equal(3, api.Replicas());

        SetRebalanceState(api, Drain, StrimziNames.RebalanceStates.Rebalancing);
        await second.HandleAsync(continuation);
        Assert.Equal(ReasonCodes.Draining, second.LastDecision["ReasonCode"]);
        Assert.Equal(3, api.Replicas());

        SetRebalanceState(api, Drain, StrimziNames.RebalanceStates.Ready);
        await second.HandleAsync(continuation);
        Assert.Equal(DecisionOutcome.Acted.ToString(), second.LastDecision["Outcome"]);
        Assert.Contains("remove broker 5 from node pool broker, 3 → 2 brokers, drained by KafkaRebalance my-cluster-scalefunctions-drain-5", second.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(2, api.Replicas());
        Assert.Null(api.Annotation(PoolDrain.Annotation));
        Assert.Null(api.Rebalance(Drain));
        Assert.Contains("down-1", api.Annotation(GuardState.RecentCommandsAnnotation)!, StringComparison.Ordinal);

        // Every later delivery of either message is a replay.
        await second.HandleAsync(original);
        Assert.Equal(ReasonCodes.Replay, second.LastDecision["ReasonCode"]);
        await second.HandleAsync(continuation);
        Assert.Equal(ReasonCodes.Replay, second.LastDecision["ReasonCode"]);
        Assert.Equal(2, api.Replicas());

        // spec.replicas was written exactly once, after the KafkaRebalance was Ready.
        var replicaWrites = api.Requests.Where(r => r.Method == "PATCH" && r.Body.Contains("/spec/replicas", StringComparison.Ordinal)).ToList();
        Assert.Single(replicaWrites);
    }

    [Fact]
    public async Task A_drain_whose_KafkaRebalance_was_lost_is_created_again_by_the_continuation()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 5), key: "down-1"));
        var continuation = executor.Queue.Deferred[^1].Command;
        api.Store.Delete(StrimziFiles.RebalanceKey(Namespace, Drain)); // the create never happened (a crash between the two writes)

        await executor.HandleAsync(continuation);

        Assert.Equal((DecisionOutcome.Deferred.ToString(), ReasonCodes.Draining), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.NotNull(api.Rebalance(Drain));
        Assert.Equal(3, api.Replicas());
    }

    [Fact]
    public async Task A_drain_that_Strimzi_cannot_run_is_refused_with_its_message_and_frees_the_pool()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, key: "down-1"));
        var continuation = executor.Queue.Deferred[^1].Command;
        SetRebalanceState(api, Drain, StrimziNames.RebalanceStates.NotReady, "Error processing POST request '/remove_broker'\u001b[31m: broker 5 is dead");

        await executor.HandleAsync(continuation);

        Assert.Equal((DecisionOutcome.Refused.ToString(), ReasonCodes.DrainFailed), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.Contains("is NotReady: Error processing POST request '/remove_broker'", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(3, api.Replicas());

        // The failed drain holds nothing: a new downScale starts a fresh drain (the failed KafkaRebalance replaced).
        executor.Time.Advance(TimeSpan.FromMinutes(1));
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, key: "down-2"));
        Assert.Equal(ReasonCodes.DrainStarted, executor.LastDecision["ReasonCode"]);
        Assert.Contains("\"command\":\"down-2\"", api.Annotation(PoolDrain.Annotation)!, StringComparison.Ordinal);
        Assert.Null(api.Rebalance(Drain)!["status"]);
    }

    [Fact]
    public async Task A_drain_past_its_timeout_is_abandoned_and_no_longer_holds_the_cluster()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Executor:DrainTimeout"] = "01:00:00");
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, key: "down-1"));
        SetRebalanceState(api, Drain, StrimziNames.RebalanceStates.Ready);

        executor.Time.Advance(TimeSpan.FromMinutes(61));
        await executor.HandleAsync(executor.Queue.Deferred[^1].Command);
        Assert.Equal(ReasonCodes.Expired, executor.LastDecision["ReasonCode"]);
        Assert.Equal(3, api.Replicas());

        // The next write to the pool drops the stale drain.
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, key: "up-1"));
        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        Assert.Null(api.Annotation(PoolDrain.Annotation));
    }

    [Fact]
    public async Task A_dry_run_plans_the_drain_and_writes_nothing()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Executor:DryRun"] = "true");

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale));

        Assert.Equal(ReasonCodes.DryRun, executor.LastDecision["ReasonCode"]);
        Assert.Contains("would drain broker 5", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(executor.Writes);
        Assert.Empty(executor.Queue.Deferred);
    }

    [Fact]
    public async Task The_logged_requests_are_the_ones_sent()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale));

        var logged = JsonNode.Parse(executor.Logs.Entries.Single(e => e.EventId.Id == 1101)["Patch"]!)!.AsArray();
        Assert.Equal(["patch", "create"], logged.Select(r => r!.AsObject().First(p => p.Key != "body").Key));
        var sent = executor.Writes;
        Assert.Equal(2, sent.Count);
        Assert.True(JsonNode.DeepEquals(logged[0]!["body"], JsonNode.Parse(sent[0].Body)));
        Assert.True(JsonNode.DeepEquals(logged[1]!["body"], JsonNode.Parse(sent[1].Body)));
    }
}
