using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Tests.Execution;
using ScaleFunctions.Tests.Rebalance;
using Xunit.Abstractions;

namespace ScaleFunctions.Tests.Performance;

/// <summary>
/// Calls per command, counted through the doubles: Kubernetes API requests (GET, write), Cruise Control requests, queue
/// writes and resolution-table lookups for each thing the app does, printed as a table. Counts are deterministic, so
/// the targets are asserted: at most 1 GET and 1 write per command acted on, no Kubernetes call for an unmanaged alert
/// (a replay takes the one GET that reads the guard annotations, and writes nothing),
/// at most 1 queue write per command per webhook. (Timing lives in benchmarks/, never here.)
/// </summary>
public sealed class CallsPerCommandIntegrationTest(ITestOutputHelper output) : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;

    public async Task InitializeAsync() => cruiseControl = await CruiseControlDouble.StartAsync();

    public async Task DisposeAsync() => await cruiseControl.DisposeAsync();

    private Task<ExecutorHarness> ExecutorAsync(ScaleFunctions.Testing.Kubernetes.KubernetesApiDouble? api = null) => ExecutorHarness.StartAsync(s =>
    {
        s["Clusters:0:CruiseControl:Url"] = cruiseControl.BaseUri.ToString();
        s["CruiseControl:CapacityOpinion"] = "Advise";
        s["CruiseControl:RetryAttempts"] = "0";
    }, sharedApi: api);

    [Fact]
    public async Task Calls_per_command_stay_within_their_targets()
    {
        var rows = new List<Calls>();

        // An upScale acted on.
        await using (var harness = await ExecutorAsync())
        {
            rows.Add(await MeasureAsync("upScale acted on", harness, () => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale))));
            Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        }

        // A command deferred: Cruise Control is moving partitions.
        await using (var harness = await ExecutorAsync())
        {
            harness.Rebalance.Moving = "a rebalance (user task 1)";
            rows.Add(await MeasureAsync("upScale deferred (rebalance running)", harness, () => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale))));
            Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
        }

        // A replay: the same command delivered again after it was applied — to the instance that applied it, and to
        // another one (or after a restart).
        ScaleCommand replayed;
        await using var applier = await ExecutorAsync();
        {
            replayed = applier.Command(ScaleCommandKind.UpScale);
            await applier.HandleAsync(replayed);
            rows.Add(await MeasureAsync("replay of an applied upScale", applier, () => applier.HandleAsync(replayed, dequeueCount: 2)));
            Assert.Equal(ReasonCodes.Replay, applier.LastDecision["ReasonCode"]);
        }

        // A command for a cluster that is not managed (a queue message intake would never write).
        await using (var harness = await ExecutorAsync())
        {
            var foreign = harness.Command(ScaleCommandKind.UpScale) with { Cluster = new ClusterRef("other", "other", ClusterKind.KafkaCluster) };
            rows.Add(await MeasureAsync("command for an unmanaged cluster", harness, () => harness.HandleAsync(foreign)));
            Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        }

        // Intake: an unmanaged alert is dropped; a webhook of 8 alerts asking for 3 commands writes 3 messages.
        using (var intake = new IntakeHarness())
        {
            var response = await intake.PostAsync(Webhooks.Firing(Webhooks.Alert("Elsewhere", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = "other" })));
            Assert.Equal(202, response.StatusCode);
            rows.Add(new Calls("intake: unmanaged alert dropped", 0, 0, 0, intake.Queue.Commands.Count, intake.Resolutions.Resolved.Count));

            var alerts = Enumerable.Range(1, 6).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))
                .Concat(Enumerable.Range(1, 2).Select(i => Webhooks.Alert($"Idle{i}", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = $"{i}" })))
                .ToArray();
            var before = intake.Queue.Commands.Count;
            Assert.Equal(202, (await intake.PostAsync(Webhooks.Firing(alerts))).StatusCode);
            rows.Add(new Calls("intake: 8 alerts → 3 commands (per command)", 0, 0, 0, (intake.Queue.Commands.Count - before) / 3.0, 0));
        }

        // Rebalance checks: busy (the executor is scaling), balanced (the proposal moves nothing), worth it (started, followed).
        rows.Add(await RebalanceAsync("rebalance check: busy", new ScaleActivity(true, false, false, "upScale applied 1 minute ago"), null, DecisionOutcome.Deferred));
        rows.Add(await RebalanceAsync("rebalance check: balanced", FakeScaleActivity.Resting, CruiseControlReply.ProposalMovingNothing, DecisionOutcome.Ignored));
        cruiseControl.Enqueue("user_tasks", CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompleted));
        rows.Add(await RebalanceAsync("rebalance check: worth it (started, followed to the end)", FakeScaleActivity.Resting, CruiseControlReply.Proposal with { UserTaskId = CruiseControlFixtures.RebalanceUserTaskId }, DecisionOutcome.Acted));

        await using (var other = await ExecutorAsync(applier.Api))
        {
            rows.Add(await MeasureAsync("replay on another instance (or after a restart)", other, () => other.HandleAsync(replayed, dequeueCount: 2)));
            Assert.Equal(ReasonCodes.Replay, other.LastDecision["ReasonCode"]);
        }

        output.WriteLine($"| {"what",-58} | k8s GET | k8s write | Cruise Control | queue write | table |");
        output.WriteLine($"| {new string('-', 58)} | ------- | --------- | -------------- | ----------- | ----- |");
        foreach (var row in rows)
        {
            output.WriteLine($"| {row.What,-58} | {row.KubernetesGets,7} | {row.KubernetesWrites,9} | {row.CruiseControl,14} | {row.QueueWrites,11} | {row.Table,5} |");
        }

        var acted = rows[0];
        Assert.True(acted.KubernetesGets <= 1 && acted.KubernetesWrites <= 1, acted.ToString());
        Assert.True(rows[1].KubernetesWrites == 0 && rows[1].QueueWrites <= 1, rows[1].ToString());
        // A replay to the instance that applied it costs nothing (it remembers its confirmed writes); on any other instance
        // it is recognised from the guard annotations on the KafkaCluster (the state lives in the resource): one GET,
        // nothing written, Cruise Control not asked.
        Assert.True(rows[2].KubernetesGets + rows[2].KubernetesWrites + rows[2].CruiseControl + rows[2].Table == 0, rows[2].ToString());
        Assert.True(rows[^1].KubernetesGets <= 1 && rows[^1].KubernetesWrites == 0 && rows[^1].CruiseControl == 0, rows[^1].ToString());
        Assert.True(rows[3].KubernetesGets + rows[3].KubernetesWrites == 0, rows[3].ToString());
        Assert.True(rows[4].KubernetesGets + rows[4].KubernetesWrites + rows[4].QueueWrites == 0, rows[4].ToString());
        Assert.True(rows[5].QueueWrites <= 1, rows[5].ToString());
        Assert.All(rows[6..^1], row => Assert.Equal(0, row.KubernetesWrites));
        Assert.Equal(0, rows[6].CruiseControl);
    }

    private async Task<Calls> MeasureAsync(string what, ExecutorHarness harness, Func<Task> act)
    {
        harness.Api.ClearRequests();
        var cruiseControlBefore = cruiseControl.Requests.Count + harness.Rebalance.Calls;
        var queueBefore = harness.Queue.Deferred.Count;
        var tableBefore = harness.Resolutions.Checks;
        await act();
        return new Calls(
            what,
            harness.Api.Requests.Count(r => r.Method == "GET"),
            harness.Api.Requests.Count(r => r.IsWrite),
            cruiseControl.Requests.Count + harness.Rebalance.Calls - cruiseControlBefore,
            harness.Queue.Deferred.Count - queueBefore,
            harness.Resolutions.Checks - tableBefore);
    }

    private async Task<Calls> RebalanceAsync(string what, ScaleActivity activity, CruiseControlReply? proposals, DecisionOutcome outcome)
    {
        await using var api = await new KubernetesApiDouble().WithCruiseControlOperationCrd().StartAsync();
        if (proposals is not null)
        {
            cruiseControl.SetDefault("proposals", proposals);
            cruiseControl.SetDefault("rebalance", proposals);
        }

        await using var host = new RebalanceTestHost(RebalanceTestHost.DirectCluster(cruiseControl.BaseUri), kubernetes: api.CreateClient());
        host.Activity.Activity = activity;
        var before = cruiseControl.Requests.Count;
        await host.Check.RunAsync(CancellationToken.None);
        Assert.Equal(outcome, host.Decision.Outcome);
        return new Calls(what, api.Requests.Count(r => r.Method == "GET"), api.Requests.Count(r => r.IsWrite), cruiseControl.Requests.Count - before, 0, 0);
    }

    /// <summary>One row: requests to the Kubernetes API (GET, write), to Cruise Control, queue writes, resolution lookups.</summary>
    private sealed record Calls(string What, int KubernetesGets, int KubernetesWrites, int CruiseControl, double QueueWrites, int Table);
}
