using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Rebalance.CruiseControl.Models;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;

namespace ScaleFunctions.Tests.Rebalance.CruiseControl;

/// <summary>The typed client against the Cruise Control double, through the app's real HttpClient pipeline.</summary>
public sealed class CruiseControlClientIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;
    private RebalanceTestHost host = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        host = new RebalanceTestHost(RebalanceTestHost.DirectCluster(cruiseControl.BaseUri));
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await cruiseControl.DisposeAsync();
    }

    private ManagedClusterOptions Cluster => host.Services.GetRequiredService<ManagedClusters>().All[0];

    private CruiseControlClient Client => host.Services.GetRequiredService<CruiseControlClients>().For(Cluster);

    [Fact]
    public async Task State_reads_all_four_substates_with_json()
    {
        var result = await Client.GetStateAsync(CancellationToken.None);

        var state = Assert.IsType<CruiseControlState>(result.Value);
        Assert.True(state.Executor!.IsIdle);
        Assert.True(state.Monitor!.IsRunning);
        Assert.Equal(65, state.Monitor.NumTotalPartitions);
        Assert.True(state.Analyzer!.IsProposalReady);
        Assert.Contains("RackAwareGoal", state.Analyzer.ReadyGoals);
        Assert.Equal(100.0, state.AnomalyDetector!.BalancednessScore);
        Assert.Contains("GOAL_VIOLATION", state.AnomalyDetector.SelfHealingDisabled);
        var request = Assert.Single(cruiseControl.Requests);
        Assert.Equal(("GET", "state", "true", "executor,monitor,analyzer,anomaly_detector"), (request.Method, request.Endpoint, request.Param("json"), request.Param("substates")));
    }

    [Fact]
    public async Task State_while_executing_names_the_running_task()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);

        var executor = (await Client.GetStateAsync(CancellationToken.None)).Value!.Executor!;

        Assert.False(executor.IsIdle);
        Assert.Equal("0230d401-6a36-430e-9858-fac8f2edde93", executor.TriggeredUserTaskId);
        Assert.Equal((20L, 100L), (executor.FinishedDataMovement, executor.TotalDataToMove));
    }

    [Fact]
    public async Task Proposals_read_the_summary_and_goal_statuses_of_old_and_new_cruise_control()
    {
        var old = (await Client.GetProposalsAsync([], CancellationToken.None)).Value!;
        cruiseControl.SetDefault("proposals", CruiseControlReply.Fixture(CruiseControlFixtures.NewerOptimizationResult));
        var newer = (await Client.GetProposalsAsync([], CancellationToken.None)).Value!;

        Assert.Equal((31, 12, 0), (old.Summary.NumReplicaMovements, old.Summary.NumLeaderMovements, old.Summary.NumIntraBrokerReplicaMovements));
        Assert.Equal(4.33, old.Summary.BalancednessGain, 2);
        Assert.Equal(["DiskUsageDistributionGoal"], old.GoalSummary.Where(g => g.IsFixed).Select(g => g.Goal));
        Assert.Null(old.Summary.ProvisionStatus);
        Assert.Equal(("RIGHT_SIZED", 4826L), (newer.Summary.ProvisionStatus, newer.Summary.DataToMoveMB));
        Assert.All(cruiseControl.RequestsTo("proposals"), r => Assert.Null(r.Param("goals")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rebalance_always_sends_dryrun_and_never_stops_an_ongoing_execution(bool dryRun)
    {
        await Client.RebalanceAsync(new ExecutionParameters(dryRun), CancellationToken.None);

        var request = Assert.Single(cruiseControl.Requests);
        Assert.Equal(("POST", "rebalance"), (request.Method, request.Endpoint));
        Assert.Equal(dryRun ? "true" : "false", request.Param("dryrun"));
        Assert.Equal("false", request.Param("stop_ongoing_execution"));
        Assert.Equal("true", request.Param("json"));
        Assert.Null(request.Param("goals"));
    }

    [Fact]
    public async Task A_202_is_followed_by_the_identical_request_with_the_user_task_id_until_completed()
    {
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { PendingPolls = 3, UserTaskId = "task-1" });

        var result = await Client.RebalanceAsync(new ExecutionParameters(true), CancellationToken.None);

        Assert.Equal(CruiseControlOutcome.Completed, result.Outcome);
        Assert.Equal("task-1", result.UserTaskId);
        Assert.Equal(31, result.Value!.Summary.NumReplicaMovements);
        var requests = cruiseControl.RequestsTo("rebalance").ToList();
        Assert.Equal(4, requests.Count);
        Assert.Equal([null, "task-1", "task-1", "task-1"], requests.Select(r => r.Header(CruiseControlClient.UserTaskIdHeader)));
        Assert.All(requests, r => Assert.Equal(requests[0].Query, r.Query));
    }

    [Fact]
    public async Task Polls_are_bounded_and_leave_a_pending_task()
    {
        await using var bounded = new RebalanceTestHost(new Dictionary<string, string?>(RebalanceTestHost.DirectCluster(cruiseControl.BaseUri)) { ["CruiseControl__MaxPolls"] = "3" });
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { PendingPolls = 100, UserTaskId = "task-2" });
        var client = bounded.Services.GetRequiredService<CruiseControlClients>().For(bounded.Services.GetRequiredService<ManagedClusters>().All[0]);

        var result = await client.RebalanceAsync(new ExecutionParameters(false), CancellationToken.None);

        Assert.Equal((CruiseControlOutcome.Pending, "task-2", "WAITING_FOR_CLUSTER_MODEL"), (result.Outcome, result.UserTaskId, result.Detail));
        Assert.Equal(3, cruiseControl.RequestsTo("rebalance").Count());
    }

    [Fact]
    public async Task The_wait_between_polls_is_the_configured_interval_on_the_time_provider()
    {
        var time = new ObservedClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        await using var timed = new RebalanceTestHost(
            new Dictionary<string, string?>(RebalanceTestHost.DirectCluster(cruiseControl.BaseUri)) { ["CruiseControl__PollInterval"] = "00:00:10" },
            services => services.AddSingleton<TimeProvider>(time));
        cruiseControl.SetDefault("proposals", CruiseControlReply.Proposal with { PendingPolls = 2, UserTaskId = "task-3" });
        var client = timed.Services.GetRequiredService<CruiseControlClients>().For(timed.Services.GetRequiredService<ManagedClusters>().All[0]);

        var call = client.GetProposalsAsync([], CancellationToken.None);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(10)); // the wait after the first 202
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(10)); // and after the second

        Assert.Equal(CruiseControlOutcome.Completed, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Outcome);
        Assert.Equal(3, cruiseControl.RequestsTo("proposals").Count());
        Assert.Equal(TimeSpan.FromSeconds(20), time.GetUtcNow() - start);
    }

    [Fact]
    public async Task Not_enough_valid_windows_is_a_not_ready_result()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.NotEnoughValidWindows);
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Fixture("strimzi-topic-operator/topic-config-failure.json", 500));

        var proposals = await Client.GetProposalsAsync([], CancellationToken.None);
        var rebalance = await Client.RebalanceAsync(new ExecutionParameters(false), CancellationToken.None);

        Assert.Equal(CruiseControlOutcome.NotReady, proposals.Outcome);
        Assert.Contains("There are only 0 valid windows", proposals.Detail);
        Assert.Equal(CruiseControlOutcome.NotReady, rebalance.Outcome);
    }

    [Theory]
    [InlineData("proposals", CruiseControlFixtures.BadGoals, "Missing hard goals [NetworkInboundCapacityGoal")]
    [InlineData("rebalance", CruiseControlFixtures.BrokerNotExist, "Broker [3] does not exist.")]
    [InlineData("state", CruiseControlFixtures.StateFetchError, "Cruise Control server is unreachable.")]
    [InlineData("user_tasks", CruiseControlFixtures.UserTaskFetchError, "Error happened in fetching response for task 9730e4fb")]
    public async Task Error_bodies_surface_as_typed_exceptions_with_the_error_message_and_no_stack_trace(string endpoint, string fixture, string message)
    {
        cruiseControl.SetDefault(endpoint, CruiseControlReply.Fixture(fixture, 500));

        var error = await Assert.ThrowsAsync<CruiseControlException>(() => endpoint switch
        {
            "proposals" => Client.GetProposalsAsync([], CancellationToken.None),
            "rebalance" => Client.RebalanceAsync(new ExecutionParameters(true), CancellationToken.None),
            "state" => Client.GetStateAsync(CancellationToken.None),
            _ => Client.GetUserTaskAsync("9730e4fb-ea41-4e2d-b053-9be2310589b5", CancellationToken.None),
        });

        Assert.Equal((endpoint, HttpStatusCode.InternalServerError), (error.Endpoint, error.StatusCode));
        Assert.Contains(message, error.ErrorMessage);
        Assert.DoesNotContain("\tat ", error.Message);
    }

    [Fact]
    public async Task User_tasks_read_the_original_response_string_as_json()
    {
        cruiseControl.Enqueue("user_tasks",
            CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskActive),
            CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompleted));

        var active = await Client.GetUserTaskAsync(CruiseControlFixtures.RebalanceUserTaskId, CancellationToken.None);
        var completed = await Client.GetUserTaskAsync(CruiseControlFixtures.RebalanceUserTaskId, CancellationToken.None);

        Assert.False(active!.IsFinished);
        Assert.Null(active.ReadOriginalResponse<OptimizationResult>());
        Assert.True(completed!.IsFinished);
        Assert.Equal("POST /kafkacruisecontrol/rebalance?json=true&dryrun=true&verbose=false", completed.RequestUrl);
        Assert.Equal(31, completed.ReadOriginalResponse<OptimizationResult>()!.Summary.NumReplicaMovements);
        Assert.All(cruiseControl.RequestsTo("user_tasks"), r => Assert.Equal(("true", CruiseControlFixtures.RebalanceUserTaskId, "true"), (r.Param("json"), r.Param("user_task_ids"), r.Param("fetch_completed_task"))));
    }

    [Fact]
    public async Task A_failed_task_or_an_unknown_one_is_told_apart()
    {
        cruiseControl.Enqueue("user_tasks", CruiseControlReply.Fixture(CruiseControlFixtures.UserTaskCompletedWithError));

        var failed = await Client.GetUserTaskAsync("8a2538a5-f2c3-4df0-9240-fe1248d03002", CancellationToken.None);
        var unknown = await Client.GetUserTaskAsync("gone", CancellationToken.None);

        Assert.Equal((UserTask.CompletedWithError, "COMPLETED_WITH_ERROR"), (failed!.Status, failed.OriginalResponse));
        Assert.Null(failed.ReadOriginalResponse<OptimizationResult>());
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Kafka_cluster_state_gives_replicas_per_broker_to_the_executor()
    {
        cruiseControl.ReplicaCounts = new Dictionary<int, int> { [0] = 40, [1] = 44, [3] = 12 };
        var counts = host.Services.GetRequiredService<IBrokerReplicaCounts>();

        var replicas = await counts.GetAsync(Cluster, CancellationToken.None);

        Assert.IsType<CruiseControlBrokerReplicaCounts>(counts);
        Assert.Equal(new Dictionary<int, int> { [0] = 40, [1] = 44, [3] = 12 }, replicas);
    }

    [Fact]
    public async Task Replica_counts_are_null_when_cruise_control_cannot_say()
    {
        cruiseControl.Enqueue("kafka_cluster_state", CruiseControlReply.Fixture(CruiseControlFixtures.StateFetchError, 500));
        var counts = host.Services.GetRequiredService<IBrokerReplicaCounts>();

        Assert.Null(await counts.GetAsync(Cluster, CancellationToken.None));
        Assert.Null(await counts.GetAsync(new ManagedClusterOptions { Namespace = "kafka", Name = "elsewhere" }, CancellationToken.None));
    }

    [Fact]
    public async Task Without_json_cruise_control_answers_text_which_is_reported_not_misread()
    {
        cruiseControl.SetDefault("state", CruiseControlReply.PlainText("MonitorState: {state: RUNNING}", 200));

        var error = await Assert.ThrowsAsync<CruiseControlException>(() => Client.GetStateAsync(CancellationToken.None));

        Assert.Contains("not the expected JSON", error.Message);
    }
}
