using System.Globalization;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.CruiseControl;
using ScaleFunctions.CruiseControl.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Starts a decided rebalance, through Koperator (a CruiseControlOperation) or directly (<c>POST rebalance?dryrun=false</c>
/// with the cluster's goals, throttle and concurrency), then follows it for a bounded time and logs the result.
/// </summary>
public sealed class RebalanceStarter(
    CruiseControlOperations operations,
    IOptions<RebalanceOptions> options,
    TimeProvider time,
    ILogger<RebalanceStarter> logger)
{
    public const string TaskReason = "ScaleFunctions rebalance check";

    public Task<RebalanceStart> StartAsync(ManagedClusterOptions cluster, CruiseControlClient client, RebalanceExecution via, CancellationToken cancellationToken) =>
        via == RebalanceExecution.Operator ? StartViaOperatorAsync(cluster, cancellationToken) : StartDirectAsync(cluster, client, cancellationToken);

    /// <summary>Looks at a started rebalance up to <see cref="RebalanceOptions.FollowPolls"/> times and logs how it ended.</summary>
    public async Task FollowAsync(ManagedClusterOptions cluster, RebalanceStart start, CancellationToken cancellationToken)
    {
        if (start.Poll is null)
        {
            return;
        }

        for (var look = 1; look <= options.Value.FollowPolls; look++)
        {
            await Task.Delay(options.Value.FollowInterval, time, cancellationToken);
            string? result;
            try
            {
                result = await start.Poll(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Rebalance of cluster {Cluster} ({Execution}) could not be followed: {Error}", cluster.Id, start.Description, ex.Message);
                return;
            }

            if (result is not null)
            {
                logger.LogInformation("Rebalance of cluster {Cluster} ({Execution}) finished: {Result}", cluster.Id, start.Description, result);
                return;
            }
        }

        logger.LogInformation(
            "Rebalance of cluster {Cluster} ({Execution}) still running after {Looks} looks; later checks skip the cluster until Cruise Control's executor is idle",
            cluster.Id, start.Description, options.Value.FollowPolls);
    }

    private async Task<RebalanceStart> StartDirectAsync(ManagedClusterOptions cluster, CruiseControlClient client, CancellationToken cancellationToken)
    {
        var parameters = ExecutionParameters.From(cluster.CruiseControl, dryRun: false, reason: TaskReason);
        var result = await client.RebalanceAsync(parameters, cancellationToken);
        if (result.Outcome == CruiseControlOutcome.NotReady)
        {
            return new RebalanceStart(false, $"Cruise Control is not ready to execute: {result.Detail}");
        }

        var described = result.Outcome == CruiseControlOutcome.Pending
            ? $"user task {result.UserTaskId}, still computing ({result.Detail})"
            : $"user task {result.UserTaskId}";
        return result.UserTaskId is { } taskId
            ? new RebalanceStart(true, described, ct => PollUserTaskAsync(client, taskId, ct))
            : new RebalanceStart(true, "no user task id returned");
    }

    private static async Task<string?> PollUserTaskAsync(CruiseControlClient client, string taskId, CancellationToken cancellationToken)
    {
        var task = await client.GetUserTaskAsync(taskId, cancellationToken);
        if (task is null)
        {
            return "the user task is unknown to Cruise Control (restarted, or the task expired)";
        }

        if (!task.IsFinished)
        {
            return null;
        }

        var summary = task.ReadOriginalResponse<OptimizationResult>()?.Summary;
        return summary is null
            ? $"{task.Status} ({task.OriginalResponse})"
            : string.Create(CultureInfo.InvariantCulture, $"{task.Status}: {summary.NumReplicaMovements} replica and {summary.NumLeaderMovements} leadership moves, {summary.TotalDataToMoveMB} MB");
    }

    private async Task<RebalanceStart> StartViaOperatorAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var created = await operations.CreateRebalanceAsync(cluster, options.Value.OperationTtlSeconds, cancellationToken);
        var name = created.Metadata.Name;
        return new RebalanceStart(true, $"CruiseControlOperation {cluster.Namespace}/{name}", ct => PollOperationAsync(cluster.Namespace, name, ct));
    }

    private async Task<string?> PollOperationAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        CruiseControlOperation operation;
        try
        {
            operation = await operations.GetAsync(@namespace, name, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return "the operation is gone (finished and deleted after its TTL, or deleted by hand)";
        }

        return operation.CurrentTask is { State: CruiseControlTask.Completed or CruiseControlTask.CompletedWithError } task
            ? $"{task.State} (user task {task.Id}){(string.IsNullOrEmpty(task.ErrorMessage) ? "" : $": {task.ErrorMessage}")}"
            : null;
    }
}
