using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Rebalance.Strimzi;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using States = ScaleFunctions.Strimzi.StrimziNames.RebalanceStates;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// The rebalance check of a Strimzi cluster against the Kubernetes double with Strimzi's CRDs and only the shipped
/// rebalance Role bound. Strimzi's operator is played by <see cref="StrimziRebalanceStates"/>. Most tests run each
/// check in a fresh host, as after a restart: the check's state lives on the KafkaRebalance only.
/// </summary>
public sealed class StrimziRebalanceCheckIntegrationTest : IAsyncLifetime
{
    private const string Own = "my-cluster-scalefunctions-rebalance";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 2, 55, 0, TimeSpan.Zero));
    private KubernetesApiDouble api = null!;
    private StrimziRebalanceStates strimzi = null!;

    public async Task InitializeAsync()
    {
        api = new KubernetesApiDouble { Rbac = RbacPolicy.Shipped("scalefunctions-rebalance") }.WithStrimziCrds();
        strimzi = new StrimziRebalanceStates(api, time);
        await api.StartAsync();
    }

    public async Task DisposeAsync() => await api.DisposeAsync();

    private JsonObject? OwnRebalance => api.Store.Find(StrimziRebalanceStates.Key(Own));

    private IEnumerable<RecordedRequest> Writes => api.Requests.Where(r => r.IsWrite);

    private RebalanceTestHost Host(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clusters__0__Namespace"] = StrimziRebalanceStates.Namespace,
            ["Clusters__0__Name"] = StrimziRebalanceStates.Cluster,
            ["Clusters__0__Kind"] = "KafkaNodePool",
            ["Clusters__0__NodePools__0__Name"] = "broker",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new RebalanceTestHost(settings, services => services.AddSingleton<TimeProvider>(time), api.CreateClient());
    }

    /// <summary>One check in a fresh host (a restarted app); asserts it made exactly one decision and returns it with its reason code.</summary>
    private async Task<(DecisionOutcome Outcome, string Code, string Reason)> CheckAsync(ScaleActivity? activity = null, Dictionary<string, string?>? extra = null)
    {
        await using var host = Host(extra);
        host.Activity.Activity = activity ?? FakeScaleActivity.Resting;
        await host.Check.RunAsync(CancellationToken.None);
        return Single(host);
    }

    private static (DecisionOutcome Outcome, string Code, string Reason) Single(RebalanceTestHost host)
    {
        var decision = Assert.Single(host.Logs.Entries, e => e.EventId == DecisionLog.DecisionEvent);
        Assert.Equal((RebalanceCheck.Stage, "kafka/my-cluster"), (decision["Stage"], decision["Cluster"]));
        Assert.StartsWith($"{decision["ReasonCode"]}: ", decision["Reason"], StringComparison.Ordinal);
        return (Enum.Parse<DecisionOutcome>(decision["Outcome"]!), decision["ReasonCode"]!, decision["Reason"]!);
    }

    [Fact]
    public async Task A_worthwhile_proposal_is_asked_for_approved_followed_reported_once_and_cleaned_up_across_restarts()
    {
        strimzi.SeedKafka();

        // 1: no KafkaRebalance yet: the app asks for a proposal (mode full, no auto-approval) and waits.
        var asked = await CheckAsync();
        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.ProposalRequested), (asked.Outcome, asked.Code));
        var created = OwnRebalance!;
        Assert.Equal(StrimziRebalanceStates.Cluster, (string?)created["metadata"]!["labels"]![StrimziNames.ClusterLabel]);
        Assert.Equal("scalefunctions", (string?)created["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal("full", (string?)created["spec"]!["mode"]);
        Assert.Null(created["metadata"]!["annotations"]);
        Assert.Equal("Kafka", (string?)created["metadata"]!["ownerReferences"]![0]!["kind"]);

        // 2: Strimzi is computing it.
        strimzi.SetState(Own, States.PendingProposal);
        Assert.Equal(StrimziRebalanceReasons.ProposalPending, (await CheckAsync()).Code);

        // 3: ready and worth it (gain 6.5 >= 5): approved with a patch that requires the version read.
        strimzi.ProposalReady(Own, before: 78.0, after: 84.5);
        var version = (string)OwnRebalance!["metadata"]!["resourceVersion"]!;
        api.ClearRequests();
        var approved = await CheckAsync();
        Assert.Equal((DecisionOutcome.Acted, StrimziRebalanceReasons.RebalanceApproved), (approved.Outcome, approved.Code));
        Assert.Contains("26 replica, 0 intra-broker and 0 leadership moves, 0 MB; balancedness 78 -> 84.5 (gain 6.5, threshold 5)", approved.Reason);
        var patch = Assert.Single(Writes);
        Assert.Equal(("PATCH", "application/json-patch+json"), (patch.Method, patch.ContentType?.Split(';')[0]));
        var operations = JsonNode.Parse(patch.Body)!.AsArray();
        Assert.Equal(("replace", "/metadata/resourceVersion", version), ((string?)operations[0]!["op"], (string?)operations[0]!["path"], (string?)operations[0]!["value"]));
        Assert.Equal("approve", (string?)OwnRebalance!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);

        // 4: Strimzi started it (annotation removed): followed, nothing written.
        strimzi.ActOnAnnotation(Own, States.Rebalancing);
        api.ClearRequests();
        var following = await CheckAsync();
        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.RebalanceRunning), (following.Outcome, following.Code));
        Assert.Empty(Writes);

        // 5: finished: the result is logged once, as a decision and a RebalanceResult, and the resource deleted.
        strimzi.SetState(Own, States.Ready);
        await using (var host = Host())
        {
            await host.Check.RunAsync(CancellationToken.None);
            var done = Single(host);
            Assert.Equal((DecisionOutcome.Acted, StrimziRebalanceReasons.RebalanceCompleted), (done.Outcome, done.Code));
            Assert.Contains("26 replica, 0 intra-broker and 0 leadership moves, 0 MB; balancedness 78 -> 84.5", done.Reason);
            var result = Assert.Single(host.Results);
            Assert.Equal("KafkaRebalance kafka/my-cluster-scalefunctions-rebalance", result["Execution"]);
        }

        Assert.Null(OwnRebalance);

        // 6: the next check starts over.
        Assert.Equal(StrimziRebalanceReasons.ProposalRequested, (await CheckAsync()).Code);
        Assert.DoesNotContain(api.Authorizations, a => !a.Allowed);
    }

    [Theory]
    [InlineData(80.0, 82.0, 26, 0, "no fixable goal violation and too little gain")]
    [InlineData(60.0, 90.0, 0, 0, "the proposal moves nothing")]
    public async Task A_proposal_not_worth_it_is_deleted_with_the_numbers_and_never_approved(double before, double after, int replicas, long mb, string why)
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, before, after, replicaMoves: replicas, dataMb: mb);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Ignored, StrimziRebalanceReasons.NotWorthIt), (decision.Outcome, decision.Code));
        Assert.Contains(why, decision.Reason);
        Assert.Contains(FormattableString.Invariant($"balancedness {before} -> {after}"), decision.Reason);
        Assert.Null(OwnRebalance);
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Two_instances_approving_at_once_approve_once_the_stale_one_conflicts()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);
        await using var first = Host();
        await using var second = Host();

        // The first reads ProposalReady and is held at its PATCH; the second decides and approves meanwhile.
        var held = api.Faults.Hold("PATCH", $"/kafkarebalances/{Own}");
        var stale = first.Check.RunAsync(CancellationToken.None);
        await held.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        await second.Check.RunAsync(CancellationToken.None);
        held.Release();
        await stale.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((DecisionOutcome.Acted, StrimziRebalanceReasons.RebalanceApproved), (Single(second).Outcome, Single(second).Code));
        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.Conflict), (Single(first).Outcome, Single(first).Code));
        Assert.Equal("approve", (string?)OwnRebalance!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);
        Assert.Equal(2, api.Requests.Count(r => r.Method == "PATCH"));
    }

    [Fact]
    public async Task An_approval_strimzi_has_not_acted_on_yet_is_not_repeated()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);
        await CheckAsync();
        api.ClearRequests();

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.ApprovalPending), (decision.Outcome, decision.Code));
        Assert.Empty(Writes);
    }

    [Fact]
    public async Task A_stale_proposal_is_refreshed_before_it_is_judged()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);
        time.Advance(TimeSpan.FromMinutes(16));

        var refreshed = await CheckAsync();
        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.ProposalRefreshed), (refreshed.Outcome, refreshed.Code));
        Assert.Contains("older than Rebalance__ProposalMaxAge (00:15:00)", refreshed.Reason);
        Assert.Equal("refresh", (string?)OwnRebalance!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);

        // Strimzi asks Cruise Control again; the fresh proposal is approved.
        strimzi.ActOnAnnotation(Own, States.PendingProposal);
        strimzi.ProposalReady(Own, 70, 90);
        Assert.Equal(StrimziRebalanceReasons.RebalanceApproved, (await CheckAsync()).Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(States.PendingProposal)]
    [InlineData(States.ProposalReady)]
    [InlineData(States.Rebalancing)]
    public async Task Another_active_kafka_rebalance_of_the_cluster_holds_the_check_back(string? state)
    {
        strimzi.SeedKafka();
        strimzi.SeedOther("my-cluster-auto-rebalancing-add-brokers", state);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.OtherRebalanceRunning), (decision.Outcome, decision.Code));
        Assert.Contains($"my-cluster-auto-rebalancing-add-brokers ({state ?? States.New}", decision.Reason);
        Assert.Null(OwnRebalance);
    }

    [Fact]
    public async Task Finished_templates_and_other_clusters_rebalances_do_not_count()
    {
        strimzi.SeedKafka();
        strimzi.SeedOther("done", States.Ready);
        strimzi.SeedOther("failed", States.NotReady);
        strimzi.SeedOther("my-add-brokers-rebalancing-template", null, template: true);
        strimzi.SeedOther("elsewhere", States.Rebalancing, cluster: "other-cluster");

        var decision = await CheckAsync();

        Assert.Equal(StrimziRebalanceReasons.ProposalRequested, decision.Code);
        var list = Assert.Single(api.Requests, r => r.Method == "GET" && r.Path == "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkarebalances");
        Assert.Contains("labelSelector=strimzi.io%2Fcluster%3Dmy-cluster", list.Query);
        Assert.Equal(5, api.Store.List(StrimziNames.Group, StrimziNames.Version, "kafka", StrimziNames.KafkaRebalances)["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Strimzis_auto_rebalancing_holds_the_check_back_and_the_own_proposal_is_not_approved_meanwhile()
    {
        strimzi.SeedKafka(autoRebalance: "RebalanceOnScaleUp");
        api.Store.Create(StrimziRebalanceStates.Key(Own), new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = Own, ["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = StrimziRebalanceStates.Cluster, ["app.kubernetes.io/managed-by"] = "scalefunctions" } },
            ["spec"] = new JsonObject { ["mode"] = "full" },
        });
        strimzi.ProposalReady(Own, 70, 90);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.AutoRebalanceRunning), (decision.Outcome, decision.Code));
        Assert.Contains("RebalanceOnScaleUp", decision.Reason);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task Never_asks_or_approves_while_the_cluster_scales()
    {
        strimzi.SeedKafka();
        var scaling = new ScaleActivity(true, false, false, "ClusterNotRunning: pool broker has 3 of 4 replicas");

        var first = await CheckAsync(scaling);
        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.ClusterNotResting), (first.Outcome, first.Code));
        Assert.Contains("pool broker has 3 of 4 replicas", first.Reason);
        Assert.Null(OwnRebalance);

        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);
        Assert.Equal(StrimziRebalanceReasons.ClusterNotResting, (await CheckAsync(scaling)).Code);
        Assert.Null(OwnRebalance!["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task A_rebalance_already_running_is_followed_and_reported_even_while_the_cluster_scales()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.SetState(Own, States.Ready, StrimziRebalanceStates.Proposal(70, 90));

        var done = await CheckAsync(new ScaleActivity(true, false, false, "scaling"));

        Assert.Equal(StrimziRebalanceReasons.RebalanceCompleted, done.Code);
        Assert.Null(OwnRebalance);
    }

    [Fact]
    public async Task A_kafka_without_cruise_control_is_ignored_and_nothing_is_created()
    {
        strimzi.SeedKafka(cruiseControl: false);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Ignored, StrimziRebalanceReasons.CruiseControlNotDeployed), (decision.Outcome, decision.Code));
        Assert.Contains("has no spec.cruiseControl", decision.Reason);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_kafka_that_is_not_ready_defers_the_check()
    {
        strimzi.SeedKafka(ready: false);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Deferred, StrimziRebalanceReasons.KafkaNotReady), (decision.Outcome, decision.Code));
        Assert.Contains("Ready is False: Creating", decision.Reason);
        Assert.Null(OwnRebalance);
    }

    [Theory]
    [InlineData(States.NotReady, StrimziRebalanceReasons.RebalanceFailed)]
    [InlineData(States.Stopped, StrimziRebalanceReasons.RebalanceStopped)]
    public async Task A_failed_rebalance_is_refused_with_strimzis_message_made_safe_and_deleted(string state, string code)
    {
        strimzi.SeedKafka();
        await CheckAsync();
        var message = "Error processing POST request '/rebalance'\n\u001b[31mforged line\u0000" + new string('x', 5000);
        strimzi.SetState(Own, state, reason: "CruiseControlRestException", message: message);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Refused, code), (decision.Outcome, decision.Code));
        Assert.Contains("CruiseControlRestException: Error processing POST request '/rebalance'??[31mforged line?xxx", decision.Reason);
        Assert.DoesNotContain(decision.Reason, c => char.IsControl(c));
        Assert.True(decision.Reason.Length < 1200, decision.Reason);
        Assert.Null(OwnRebalance);
    }

    [Fact]
    public async Task A_forbidden_list_is_a_forbidden_refusal_naming_the_permission()
    {
        strimzi.SeedKafka();
        api.Rbac = RbacPolicy.FromYaml(File.ReadAllText(ScaleFunctions.Testing.ReferenceFiles.InRepository(RbacPolicy.ShippedFile))
            .Replace("resources: [\"kafkarebalances\"]", "resources: [\"kafkaconnects\"]", StringComparison.Ordinal), "scalefunctions-rebalance");

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Refused, ReasonCodes.Forbidden), (decision.Outcome, decision.Code));
        Assert.StartsWith("Forbidden: the API server refused list on kafkarebalances in API group \"kafka.strimzi.io\" in namespace kafka", decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_forbidden_approval_is_a_forbidden_refusal_and_the_next_check_does_not_pretend_it_was_approved()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);
        api.Faults.Forbid("PATCH", "/kafkarebalances/");

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Refused, ReasonCodes.Forbidden), (decision.Outcome, decision.Code));
        Assert.Contains($"patch on kafkarebalances \"{Own}\"", decision.Reason);
        Assert.Null(OwnRebalance!["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task Dry_run_decides_without_approving()
    {
        strimzi.SeedKafka();
        await CheckAsync();
        strimzi.ProposalReady(Own, 70, 90);

        var decision = await CheckAsync(extra: new() { ["Rebalance__DryRun"] = "true" });

        Assert.Equal((DecisionOutcome.Deferred, ReasonCodes.DryRun), (decision.Outcome, decision.Code));
        Assert.Contains("would approve KafkaRebalance my-cluster-scalefunctions-rebalance", decision.Reason);
        Assert.Null(OwnRebalance!["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task A_kafka_rebalance_of_that_name_the_app_did_not_create_is_never_touched()
    {
        strimzi.SeedKafka();
        strimzi.SeedOther(Own, States.ProposalReady);

        var decision = await CheckAsync();

        Assert.Equal((DecisionOutcome.Refused, StrimziRebalanceReasons.NameTaken), (decision.Outcome, decision.Code));
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_second_check_of_the_cluster_while_one_runs_is_skipped_with_one_decision_each()
    {
        strimzi.SeedKafka();
        await using var host = Host();
        host.Activity.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = host.Check.RunAsync(CancellationToken.None);
        await host.Activity.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await host.Check.RunAsync(CancellationToken.None);
        host.Activity.Gate.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(30));

        var codes = host.Logs.Entries.Where(e => e.EventId == DecisionLog.DecisionEvent).Select(e => e["ReasonCode"]).ToList();
        Assert.Equal([StrimziRebalanceReasons.CheckRunning, StrimziRebalanceReasons.ProposalRequested], codes);
        Assert.Single(api.Requests, r => r.Method == "POST");
    }
}
