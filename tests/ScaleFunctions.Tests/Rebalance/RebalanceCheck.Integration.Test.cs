using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// The rebalance check against the Cruise Control double, direct execution, for a KafkaCluster whose scale activity is
/// set by the test and whose CruiseControlOperations (none unless seeded) live in a Kubernetes API double.
/// </summary>
public sealed class RebalanceCheckIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;
    private KubernetesApiDouble api = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        api = await new KubernetesApiDouble().WithCruiseControlOperationCrd().StartAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await cruiseControl.DisposeAsync();
    }

    private RebalanceTestHost Host(Dictionary<string, string?> settings, bool fakeActivity = true) => new(settings, kubernetes: api.CreateClient(), fakeActivity: fakeActivity);

    private bool AnyExecutionStarted => cruiseControl.Requests.Any(r => r.StartsExecution);

    private async Task<RebalanceTestHost> RunAsync(Dictionary<string, string?>? extra = null, ScaleActivity? activity = null)
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var host = Host(settings);
        host.Activity.Activity = activity ?? FakeScaleActivity.Resting;
        await host.Check.RunAsync(CancellationToken.None);
        return host;
    }

    [Theory]
    [InlineData(true, false, false, "scaling in progress")]
    [InlineData(false, true, false, "in cooldown")]
    [InlineData(false, false, true, "graceful actions pending")]
    public async Task Never_rebalances_while_the_cluster_is_scaling_cooling_down_or_draining(bool scaling, bool cooldown, bool graceful, string reason)
    {
        await using var host = await RunAsync(activity: new ScaleActivity(scaling, cooldown, graceful, null));

        var decision = host.Decision;
        Assert.Equal(DecisionOutcome.Deferred, decision.Outcome);
        Assert.Contains(reason, decision.Reason);
        Assert.False(AnyExecutionStarted);
        Assert.Empty(cruiseControl.RequestsTo("proposals"));
    }

    [Fact]
    public async Task The_executors_reason_for_not_resting_is_logged_as_is()
    {
        await using var host = await RunAsync(activity: new ScaleActivity(true, false, false, "upScale applied 2 minutes ago"));

        Assert.Contains("upScale applied 2 minutes ago", host.Decision.Reason);
    }

    [Fact]
    public async Task Never_rebalances_while_an_execution_is_running()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);

        await using var host = await RunAsync();

        var decision = host.Decision;
        Assert.Equal(DecisionOutcome.Deferred, decision.Outcome);
        Assert.Contains("INTER_BROKER_REPLICA_MOVEMENT_TASK_IN_PROGRESS", decision.Reason);
        Assert.Contains("0230d401-6a36-430e-9858-fac8f2edde93", decision.Reason);
        Assert.False(AnyExecutionStarted);
        Assert.Empty(cruiseControl.RequestsTo("rebalance"));
    }

    [Fact]
    public async Task Never_rebalances_when_the_proposal_moves_nothing()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing);

        await using var host = await RunAsync(new() { ["Rebalance__MinBalancednessGain"] = "0" });

        var decision = host.Decision;
        Assert.Equal(DecisionOutcome.Ignored, decision.Outcome);
        Assert.Contains("moves nothing", decision.Reason);
        Assert.Empty(cruiseControl.RequestsTo("rebalance"));
    }

    [Fact]
    public async Task Skips_while_the_load_monitor_is_not_running()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.StateMonitor("LOADING"));

        await using var host = await RunAsync();

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("load monitor is LOADING", host.Decision.Reason);
        Assert.Empty(cruiseControl.RequestsTo("proposals"));
    }

    [Fact]
    public async Task Skips_while_no_proposal_is_ready()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.StateProposalNotReady);

        await using var host = await RunAsync();

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("no proposal ready", host.Decision.Reason);
        Assert.Empty(cruiseControl.RequestsTo("proposals"));
    }

    [Fact]
    public async Task Not_enough_valid_windows_is_a_skip_not_a_failure()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.NotEnoughValidWindows);

        await using var host = await RunAsync();

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("not ready yet", host.Decision.Reason);
        Assert.False(AnyExecutionStarted);
    }

    [Fact]
    public async Task Proposals_still_computing_after_the_polls_are_a_skip()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.Proposal with { PendingPolls = 10, UserTaskId = "slow-proposal" });

        await using var host = await RunAsync(new() { ["CruiseControl__MaxPolls"] = "2" });

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("still computing proposals (user task slow-proposal)", host.Decision.Reason);
        Assert.Equal(2, cruiseControl.RequestsTo("proposals").Count());
    }

    [Fact]
    public async Task A_fixed_goal_violation_starts_a_direct_rebalance_with_the_configured_goals_throttle_and_concurrency()
    {
        cruiseControl.Enqueue("user_tasks", CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskInExecution), CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompleted));
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { UserTaskId = CruiseControlFixtures.RebalanceUserTaskId });

        await using var host = await RunAsync(new()
        {
            ["CruiseControl__Goals"] = "RackAwareGoal,ReplicaCapacityGoal,DiskCapacityGoal",
            ["Clusters__0__CruiseControl__ReplicationThrottle"] = "10485760",
            ["Clusters__0__CruiseControl__ConcurrentPartitionMovementsPerBroker"] = "2",
            ["Clusters__0__CruiseControl__ConcurrentLeaderMovements"] = "100",
        });

        var decision = host.Decision;
        Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
        Assert.Contains("DiskUsageDistributionGoal", decision.Reason);
        Assert.Contains($"user task {CruiseControlFixtures.RebalanceUserTaskId}", decision.Reason);

        var proposals = Assert.Single(cruiseControl.RequestsTo("proposals"));
        Assert.Equal("RackAwareGoal,ReplicaCapacityGoal,DiskCapacityGoal", proposals.Param("goals"));
        var start = Assert.Single(cruiseControl.Requests, r => r.StartsExecution);
        Assert.Equal("rebalance", start.Endpoint);
        Assert.Equal("true", start.Param("json"));
        Assert.Equal("false", start.Param("stop_ongoing_execution"));
        Assert.Equal("RackAwareGoal,ReplicaCapacityGoal,DiskCapacityGoal", start.Param("goals"));
        Assert.Equal("10485760", start.Param("replication_throttle"));
        Assert.Equal("2", start.Param("concurrent_partition_movements_per_broker"));
        Assert.Equal("100", start.Param("concurrent_leader_movements"));

        Assert.Equal(2, cruiseControl.RequestsTo("user_tasks").Count());
        Assert.All(cruiseControl.RequestsTo("user_tasks"), r => Assert.Equal(CruiseControlFixtures.RebalanceUserTaskId, r.Param("user_task_ids")));
        Assert.Contains(host.Logs.Entries, e => e.Message.Contains("finished: Completed: 31 replica and 12 leadership moves"));
    }

    [Fact]
    public async Task A_rebalance_answered_with_202_is_followed_with_its_user_task_id()
    {
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { PendingPolls = 2, UserTaskId = CruiseControlFixtures.RebalanceUserTaskId });
        cruiseControl.Enqueue("user_tasks", CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompleted));

        await using var host = await RunAsync();

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        var rebalances = cruiseControl.RequestsTo("rebalance").ToList();
        Assert.Equal(3, rebalances.Count);
        Assert.Null(rebalances[0].Header(CruiseControlClient.UserTaskIdHeader));
        Assert.All(rebalances.Skip(1), r => Assert.Equal(CruiseControlFixtures.RebalanceUserTaskId, r.Header(CruiseControlClient.UserTaskIdHeader)));
        Assert.All(rebalances, r => Assert.Equal(rebalances[0].Query, r.Query));
    }

    [Fact]
    public async Task A_gain_below_the_threshold_without_a_fixed_goal_is_not_worth_it()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalWithoutFixedGoals);

        await using var host = await RunAsync(new() { ["Rebalance__MinBalancednessGain"] = "5" });

        Assert.Equal(DecisionOutcome.Ignored, host.Decision.Outcome);
        Assert.Contains("gain 4.33, threshold 5", host.Decision.Reason);
        Assert.False(AnyExecutionStarted);
    }

    [Fact]
    public async Task A_gain_reaching_the_threshold_starts_a_rebalance()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalWithoutFixedGoals);

        await using var host = await RunAsync(new() { ["Rebalance__MinBalancednessGain"] = "4" });

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        Assert.Single(cruiseControl.Requests, r => r.StartsExecution);
    }

    [Fact]
    public async Task Dry_run_decides_and_logs_but_starts_nothing()
    {
        await using var host = await RunAsync(new() { ["Rebalance__DryRun"] = "true" });

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("dry run", host.Decision.Reason);
        Assert.Contains("would rebalance via Direct", host.Decision.Reason);
        Assert.Empty(cruiseControl.RequestsTo("rebalance"));
    }

    [Fact]
    public async Task A_cluster_without_cruise_control_is_ignored_without_any_request()
    {
        await using var host = new RebalanceTestHost(new Dictionary<string, string?> { ["Clusters__0__Namespace"] = "kafka", ["Clusters__0__Name"] = "kafka" });
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Ignored, host.Decision.Outcome);
        Assert.Contains("not configured", host.Decision.Reason);
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task A_cruise_control_error_is_refused_with_its_error_message()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.BadGoals);

        await using var host = await RunAsync();

        Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.Contains("Missing hard goals", host.Decision.Reason);
        Assert.DoesNotContain("at java.", host.Decision.Reason);
        Assert.False(AnyExecutionStarted);
    }

    [Fact]
    public async Task A_second_check_of_the_same_cluster_while_one_runs_is_skipped()
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        await using var host = Host(settings);
        host.Activity.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = host.Check.RunAsync(CancellationToken.None);
        await host.Activity.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.Check.RunAsync(CancellationToken.None);
        var skipped = host.Decision;
        host.Activity.Gate.SetResult();
        await first;

        Assert.Equal(DecisionOutcome.Deferred, skipped.Outcome);
        Assert.Contains("another rebalance check of this cluster is still running", skipped.Reason);
        Assert.Equal(2, host.Decisions.Count);
        Assert.Single(cruiseControl.Requests, r => r.StartsExecution);
    }

    [Fact]
    public async Task Each_cluster_gets_exactly_one_decision_per_run()
    {
        await using var second = await CruiseControlDouble.StartAsync();
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Clusters__1__Namespace"] = "kafka";
        settings["Clusters__1__Name"] = "other";
        settings["Clusters__1__CruiseControl__Url"] = second.BaseUri.ToString();
        settings["Clusters__1__CruiseControl__ExecuteVia"] = "Direct";
        await using var host = Host(settings);
        host.Activity.PerCluster["kafka/other"] = new ScaleActivity(true, false, false, null);

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(2, host.Decisions.Count);
        Assert.Equal(DecisionOutcome.Acted, host.Decisions.Single(d => d.Cluster == "kafka/kafka").Outcome);
        Assert.Equal(DecisionOutcome.Deferred, host.Decisions.Single(d => d.Cluster == "kafka/other").Outcome);
        Assert.DoesNotContain(second.Requests, r => r.StartsExecution);
    }

    [Fact]
    public async Task A_direct_rebalance_still_running_after_the_follow_is_logged_once_by_a_later_check()
    {
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { UserTaskId = CruiseControlFixtures.RebalanceUserTaskId });
        cruiseControl.Enqueue("user_tasks", CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskInExecution), CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompleted));
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Rebalance__FollowPolls"] = "1";
        await using var host = Host(settings);

        await host.Check.RunAsync(CancellationToken.None);
        Assert.Empty(host.Results);
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
        await host.Check.RunAsync(CancellationToken.None);
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal([DecisionOutcome.Acted, DecisionOutcome.Deferred, DecisionOutcome.Deferred], host.Decisions.Select(d => d.Outcome));
        var result = Assert.Single(host.Results);
        Assert.Equal("kafka/kafka", result["Cluster"]);
        Assert.Equal($"user task {CruiseControlFixtures.RebalanceUserTaskId}", result["Execution"]);
        Assert.Equal("Completed: 31 replica and 12 leadership moves, 0 MB", result["Result"]);
        Assert.Equal(2, cruiseControl.RequestsTo("user_tasks").Count());
    }

    [Fact]
    public async Task A_kafka_node_pool_cluster_is_checked_through_strimzi_never_through_cruise_controls_api()
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Clusters__0__Kind"] = "KafkaNodePool";
        settings["Clusters__0__NodePools__0__Name"] = "broker";
        await using var host = Host(settings);

        await host.Check.RunAsync(CancellationToken.None);

        // Strimzi path (StrimziRebalanceCheck.Integration.Test): the Kafka is read first; this double holds none.
        Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.StartsWith("ClusterNotFound: the Kafka kafka/kafka does not exist", host.Decision.Reason, StringComparison.Ordinal);
        Assert.Single(api.Requests, r => r.Path == "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas/kafka");
        Assert.Empty(cruiseControl.Requests);
    }
}
