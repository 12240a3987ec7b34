using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Tests.Rebalance;

namespace ScaleFunctions.Tests.Testing.CruiseControl;

/// <summary>
/// The Cruise Control double refuses what the real server refuses: a parameter the endpoint does not accept (400,
/// the real message), and a User-Task-ID on a request that is not the task's identical request (500, the real
/// message); and the app's own client sends only what each endpoint accepts.
/// </summary>
public sealed class CruiseControlDoubleIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        http = new HttpClient { BaseAddress = cruiseControl.BaseUri };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await cruiseControl.DisposeAsync();
    }

    [Fact]
    public async Task An_unknown_parameter_is_400_with_Cruise_Controls_error_body()
    {
        using var response = await http.GetAsync(new Uri("state?json=true&substates=executor&verbos=true&Bogus=1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"errorMessage":"Unrecognized endpoint parameters in STATE GET request: [Bogus, verbos].","stackTrace":"","version":1}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_parameter_without_json_is_the_message_in_plain_text()
    {
        using var response = await http.PostAsync(new Uri("rebalance?dryrun=true&min_valid_windows=1", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Unrecognized endpoint parameters in REBALANCE POST request: [min_valid_windows].", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Parameter_names_are_case_insensitive_and_each_endpoint_has_its_own()
    {
        using var state = await http.GetAsync(new Uri("state?JSON=true&SubStates=executor", UriKind.Relative));
        using var proposalsWithDryRun = await http.GetAsync(new Uri("proposals?json=true&dryrun=true", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, proposalsWithDryRun.StatusCode);
        Assert.Contains("in PROPOSALS GET request: [dryrun].", await proposalsWithDryRun.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_follow_up_returns_the_task_only_for_the_identical_request()
    {
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { PendingPolls = 1, UserTaskId = "task-7" });
        using var started = await http.PostAsync(new Uri("rebalance?json=true&dryrun=true&goals=RackAwareGoal", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);

        using var otherQuery = await FollowUp(HttpMethod.Post, "rebalance?json=true&dryrun=true&goals=ReplicaCapacityGoal", "task-7");
        using var sameParametersReordered = await FollowUp(HttpMethod.Post, "rebalance?goals=RackAwareGoal&dryrun=true&json=true", "task-7");
        using var unknownTask = await FollowUp(HttpMethod.Post, "rebalance?json=true&dryrun=true&goals=RackAwareGoal", "task-8");

        Assert.Equal(HttpStatusCode.InternalServerError, otherQuery.StatusCode);
        Assert.Contains(
            "\"errorMessage\":\"Error processing POST request \\u0027/rebalance\\u0027 due to: \\u0027Unexpected header task-7 (value: User-Task-ID) in the request.\\u0027.\"",
            await otherQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, sameParametersReordered.StatusCode);
        Assert.Equal(CruiseControlReply.Proposal.Text, await sameParametersReordered.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, unknownTask.StatusCode);
        Assert.Contains("Unexpected header task-8", await unknownTask.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_task_answers_its_identical_request_again_and_no_other_endpoint()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.Proposal with { UserTaskId = "task-done" });
        using var first = await http.GetAsync(new Uri("proposals?json=true", UriKind.Relative));
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing);

        using var again = await FollowUp(HttpMethod.Get, "proposals?json=true", "task-done");
        using var elsewhere = await FollowUp(HttpMethod.Get, "state?json=true", "task-done");

        Assert.Equal("task-done", first.Headers.GetValues("User-Task-ID").Single());
        Assert.Equal(CruiseControlReply.Proposal.Text, await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, elsewhere.StatusCode);
        Assert.Contains("Error processing GET request \\u0027/state\\u0027", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Every call of the app's client, with every optional execution setting, is accepted as sent.</summary>
    [Fact]
    public async Task The_apps_client_sends_only_parameters_each_endpoint_accepts()
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Clusters__0__CruiseControl__Goals"] = "RackAwareGoal,ReplicaCapacityGoal";
        settings["Clusters__0__CruiseControl__ReplicationThrottle"] = "50000000";
        settings["Clusters__0__CruiseControl__ConcurrentPartitionMovementsPerBroker"] = "5";
        settings["Clusters__0__CruiseControl__ConcurrentLeaderMovements"] = "100";
        await using var host = new RebalanceTestHost(settings);
        var cluster = host.Services.GetRequiredService<ManagedClusters>().All[0];
        var client = host.Services.GetRequiredService<CruiseControlClients>().For(cluster);
        var execution = ExecutionParameters.From(cluster.CruiseControl, dryRun: true, reason: "test");

        await client.GetStateAsync(CancellationToken.None);
        await client.GetProposalsAsync(cluster.CruiseControl.GoalList, CancellationToken.None);
        await client.RebalanceAsync(execution, CancellationToken.None);
        await client.GetKafkaClusterStateAsync(CancellationToken.None);
        await client.GetUserTaskAsync(CruiseControlFixtures.RebalanceUserTaskId, CancellationToken.None);

        Assert.Equal(
            ["state", "proposals", "rebalance", "kafka_cluster_state", "user_tasks"],
            cruiseControl.Requests.Select(r => r.Endpoint));
        Assert.Contains(cruiseControl.Requests, r => r.Param("replication_throttle") == "50000000" && r.Param("reason") == "test");
        Assert.All(cruiseControl.Requests, r => Assert.All(r.Query.Keys, name => Assert.Contains(name, CruiseControlParameters.For(r.Method, r.Endpoint)!)));
    }

    [Fact]
    public async Task Proposals_carry_each_provision_status_of_the_schema_in_a_body_the_schema_accepts()
    {
        foreach (var status in CruiseControlResponseSchema.ProvisionStatuses)
        {
            cruiseControl.Enqueue("proposals", CruiseControlReply.ProposalWithProvision(status, "[ReplicaDistributionGoal] Remove at least 1 broker."));
            using var response = await http.GetAsync(new Uri("proposals?json=true", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(CruiseControlResponseSchema.SummaryErrors(body));
            Assert.Equal(status, (string?)System.Text.Json.Nodes.JsonNode.Parse(body)!["summary"]!["provisionStatus"]);
        }

        // The schema check bites: the older Cruise Control's summary lacks the fields, and a status outside the enum is no status.
        Assert.Contains(CruiseControlResponseSchema.SummaryErrors(CruiseControlReply.Proposal.Text), e => e.Contains("provisionStatus", StringComparison.Ordinal));
        Assert.NotEmpty(CruiseControlResponseSchema.SummaryErrors(CruiseControlReply.ProposalWithProvision("SOMEWHAT_SIZED").Text));
    }

    [Fact]
    public async Task An_under_provisioned_cluster_fails_the_optimization_with_a_500_and_the_goals_recommendation()
    {
        cruiseControl.Enqueue("proposals", CruiseControlReply.UnderProvisionedFailure());
        using var response = await http.GetAsync(new Uri("proposals?json=true", UriKind.Relative));
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("Error processing GET request '/proposals' due to: 'com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: [DiskCapacityGoal]", (string?)error["errorMessage"], StringComparison.Ordinal);
        Assert.Equal(1, (int?)error["version"]);
    }

    [Fact]
    public async Task With_executions_a_started_rebalance_is_the_executors_task_listed_with_its_request_until_it_finishes()
    {
        cruiseControl.Executions = new CruiseControlExecutions();
        using var dryRun = await http.PostAsync(new Uri("rebalance?json=true&dryrun=true", UriKind.Relative), null);
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { UserTaskId = "7d1f3a52-0000-4000-8000-000000000001" });
        using var started = await http.PostAsync(new Uri("rebalance?json=true&dryrun=false&reason=ScaleFunctions%20rebalance%20check", UriKind.Relative), null);
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal);
        using var second = await http.PostAsync(new Uri("rebalance?json=true&dryrun=false", UriKind.Relative), null);
        var executor = await JsonAsync("state?json=true&substates=executor");
        var listed = await JsonAsync("user_tasks?json=true&endpoints=REBALANCE&types=InExecution");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.InternalServerError), (started.StatusCode, second.StatusCode));
        Assert.Contains("Cannot start a new execution while there is an ongoing execution", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("7d1f3a52-0000-4000-8000-000000000001", (string?)executor["ExecutorState"]!["triggeredUserTaskId"]);
        Assert.StartsWith("ScaleFunctions rebalance check (Client: 127.0.0.1, Date: ", (string?)executor["ExecutorState"]!["triggeredTaskReason"], StringComparison.Ordinal);
        var task = Assert.Single(listed["userTasks"]!.AsArray());
        Assert.Equal("POST /kafkacruisecontrol/rebalance?json=true&dryrun=false&reason=ScaleFunctions rebalance check", (string?)task!["RequestURL"]);
        Assert.Null(task["originalResponse"]);

        cruiseControl.Executions.Finish();
        executor = await JsonAsync("state?json=true&substates=executor");
        var done = await JsonAsync("user_tasks?json=true&user_task_ids=7d1f3a52-0000-4000-8000-000000000001&fetch_completed_task=true");
        Assert.Equal("NO_TASK_IN_PROGRESS", (string?)executor["ExecutorState"]!["state"]);
        Assert.Equal("Completed", (string?)done["userTasks"]![0]!["Status"]);
        Assert.Equal(CruiseControlReply.Proposal.Text, (string?)done["userTasks"]![0]!["originalResponse"]);
        Assert.Equal(3, (await JsonAsync("user_tasks?json=true&endpoints=rebalance"))["userTasks"]!.AsArray().Count); // the dry run and the refused one too

        cruiseControl.Executions.ForgetCompleted();
        Assert.Empty((await JsonAsync("user_tasks?json=true&endpoints=rebalance"))["userTasks"]!.AsArray());
    }

    [Fact]
    public async Task With_executions_a_task_whose_response_cannot_be_fetched_fails_the_fetch_but_not_the_plain_list()
    {
        cruiseControl.Executions = new CruiseControlExecutions();
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { UserTaskId = "7d1f3a52-0000-4000-8000-000000000002" });
        using var started = await http.PostAsync(new Uri("rebalance?json=true&dryrun=false", UriKind.Relative), null);
        cruiseControl.Executions.Finish("CompletedWithError", responseUnavailable: true);

        using var fetched = await http.GetAsync(new Uri("user_tasks?json=true&user_task_ids=7d1f3a52-0000-4000-8000-000000000002&fetch_completed_task=true", UriKind.Relative));
        var listed = await JsonAsync("user_tasks?json=true&user_task_ids=7d1f3a52-0000-4000-8000-000000000002");

        Assert.Equal(HttpStatusCode.InternalServerError, fetched.StatusCode);
        Assert.Contains("Error happened in fetching response for task 7d1f3a52-0000-4000-8000-000000000002", await fetched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("CompletedWithError", (string?)listed["userTasks"]![0]!["Status"]);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> JsonAsync(string pathAndQuery) =>
        System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync(new Uri(pathAndQuery, UriKind.Relative)))!;

    private Task<HttpResponseMessage> FollowUp(HttpMethod method, string pathAndQuery, string userTaskId)
    {
        var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
        request.Headers.Add("User-Task-ID", userTaskId);
        return http.SendAsync(request);
    }
}
