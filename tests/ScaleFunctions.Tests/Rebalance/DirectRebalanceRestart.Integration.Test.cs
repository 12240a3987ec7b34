using ScaleFunctions.Decisions;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// A direct rebalance (<c>ExecuteVia=Direct</c>, no resource to keep state on) across restarts of the app: each
/// <see cref="RebalanceTestHost"/> is a fresh process (nothing in memory), against one Cruise Control double that keeps
/// its user tasks and executor (<see cref="CruiseControlExecutions"/>). The restarted app recovers what it started from
/// Cruise Control itself (the executor's <c>triggeredTaskReason</c> carries the app's <c>reason</c>), starts nothing
/// while it runs and logs its result once.
/// </summary>
public sealed class DirectRebalanceRestartIntegrationTest : IAsyncLifetime
{
    private readonly CruiseControlExecutions executions = new();
    private CruiseControlDouble cruiseControl = null!;
    private KubernetesApiDouble api = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        cruiseControl.Executions = executions;
        api = await new KubernetesApiDouble().WithCruiseControlOperationCrd().StartAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await cruiseControl.DisposeAsync();
    }

    private int ExecutionsRequested => cruiseControl.Requests.Count(r => r.StartsExecution);

    [Fact]
    public async Task A_restarted_app_adopts_the_running_rebalance_it_started_starts_none_and_logs_its_result_once()
    {
        string taskId;
        await using (var first = Host())
        {
            await first.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Acted, first.Decision.Outcome);
            taskId = Assert.Single(executions.Started).Id;
            Assert.Equal(taskId, executions.Running);
            Assert.Empty(first.Results); // still running after the follow: the process goes away with it in memory
        }

        await using (var restarted = Host())
        {
            await restarted.Check.RunAsync(CancellationToken.None);
            Finish();
            await restarted.Check.RunAsync(CancellationToken.None);
            await restarted.Check.RunAsync(CancellationToken.None);

            Assert.Equal([DecisionOutcome.Deferred, DecisionOutcome.Ignored, DecisionOutcome.Ignored], restarted.Decisions.Select(d => d.Outcome));
            Assert.Contains($"user task {taskId}", restarted.Decisions[0].Reason);
            var result = Assert.Single(restarted.Results);
            Assert.Equal(($"user task {taskId}", "Completed: 31 replica and 12 leadership moves, 0 MB"), (result["Execution"], result["Result"]));
        }

        // A second restart, the task still in Cruise Control's user_tasks (Completed): not logged again.
        await using (var again = Host())
        {
            await again.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Ignored, again.Decision.Outcome);
            Assert.Empty(again.Results);
        }

        Assert.Equal(1, ExecutionsRequested);
    }

    [Fact]
    public async Task A_restarted_app_adopts_nothing_it_did_not_start()
    {
        // Someone else's execution (no reason: "No reason provided (Client: …)"), started while the app was down.
        using (var http = new HttpClient { BaseAddress = cruiseControl.BaseUri })
        {
            using var other = await http.PostAsync(new Uri("rebalance?json=true&dryrun=false", UriKind.Relative), null);
            Assert.Equal(System.Net.HttpStatusCode.OK, other.StatusCode);
        }

        await using var host = Host();
        await host.Check.RunAsync(CancellationToken.None);
        Finish();
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal([DecisionOutcome.Deferred, DecisionOutcome.Ignored], host.Decisions.Select(d => d.Outcome));
        Assert.Empty(host.Results);
        Assert.Empty(cruiseControl.RequestsTo("user_tasks"));
    }

    [Fact]
    public async Task A_rebalance_that_finished_while_the_app_was_down_is_not_logged_and_the_next_is_decided_afresh()
    {
        await using (var first = Host())
        {
            await first.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Acted, first.Decision.Outcome);
        }

        Finish();
        await using var restarted = Host();
        await restarted.Check.RunAsync(CancellationToken.None);

        // At most once: without a persisted marker the app cannot tell a result it never logged from one it logged
        // before a restart (docs/rebalance.md#results); the result stays in Cruise Control's user_tasks.
        Assert.Equal(DecisionOutcome.Ignored, restarted.Decision.Outcome);
        Assert.Empty(restarted.Results);
        Assert.Equal(1, ExecutionsRequested);
    }

    [Fact]
    public async Task A_finished_rebalance_whose_response_Cruise_Control_cannot_return_is_logged_once_not_warned_every_check()
    {
        string taskId;
        await using (var first = Host())
        {
            await first.Check.RunAsync(CancellationToken.None);
            taskId = executions.Running!;
        }

        await using var restarted = Host();
        await restarted.Check.RunAsync(CancellationToken.None);
        executions.Finish("CompletedWithError", responseUnavailable: true);
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing);
        await restarted.Check.RunAsync(CancellationToken.None);
        await restarted.Check.RunAsync(CancellationToken.None);

        var result = Assert.Single(restarted.Results);
        Assert.Equal($"user task {taskId}", result["Execution"]);
        Assert.StartsWith("CompletedWithError (Cruise Control cannot return its response: ", result["Result"], StringComparison.Ordinal);
        Assert.Contains($"Error happened in fetching response for task {taskId}", result["Result"], StringComparison.Ordinal);
        Assert.DoesNotContain(restarted.Logs.Entries, e => e.EventId.Name == "RebalanceResultNotReported");
        Assert.Equal([DecisionOutcome.Deferred, DecisionOutcome.Ignored, DecisionOutcome.Ignored], restarted.Decisions.Select(d => d.Outcome));
    }

    [Fact]
    public async Task A_task_Cruise_Control_forgot_is_reported_as_unknown_once()
    {
        string taskId;
        await using (var first = Host())
        {
            await first.Check.RunAsync(CancellationToken.None);
            taskId = executions.Running!;
        }

        await using var restarted = Host();
        await restarted.Check.RunAsync(CancellationToken.None);
        Finish();
        executions.ForgetCompleted(); // retention passed, or Cruise Control restarted
        await restarted.Check.RunAsync(CancellationToken.None);
        await restarted.Check.RunAsync(CancellationToken.None);

        var result = Assert.Single(restarted.Results);
        Assert.Equal(($"user task {taskId}", "the user task is unknown to Cruise Control (restarted, or the task expired)"), (result["Execution"], result["Result"]));
    }

    [Fact]
    public async Task A_result_logged_while_Cruise_Controls_state_still_names_the_finished_task_is_not_adopted_again()
    {
        await using var host = Host();
        await host.Check.RunAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = cruiseControl.BaseUri };
        var stillExecuting = await http.GetStringAsync(new Uri("state?json=true", UriKind.Relative));

        // The user task is Completed a moment before the executor's state says it is idle.
        Finish();
        cruiseControl.Enqueue("state", CruiseControlReply.Json(stillExecuting));
        await host.Check.RunAsync(CancellationToken.None);
        await host.Check.RunAsync(CancellationToken.None);
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal([DecisionOutcome.Acted, DecisionOutcome.Deferred, DecisionOutcome.Ignored, DecisionOutcome.Ignored], host.Decisions.Select(d => d.Outcome));
        Assert.Single(host.Results);
        Assert.Equal(1, ExecutionsRequested);
    }

    /// <summary>The execution ends and balanced the cluster: the executor is idle and the next proposal moves nothing.</summary>
    private void Finish()
    {
        executions.Finish();
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing);
    }

    private RebalanceTestHost Host()
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        settings["Rebalance__FollowPolls"] = "1";
        return new RebalanceTestHost(settings, kubernetes: api.CreateClient());
    }
}
