using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Rebalance.CruiseControl.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Logs how each rebalance this app started ended, at most once (event <c>1301 RebalanceResult</c>), also across
/// restarts: the operator path marks the operation before logging, the direct path adopts its task from Cruise
/// Control's executor state (docs/rebalance.md#results).
/// </summary>
public sealed partial class RebalanceResults(CruiseControlOperations operations, ILogger<RebalanceResults> logger)
{
    public const int ResultEventId = 1301;

    // Reported ones are kept (the last few) so that a state read just after the task finished, which may still name
    // it, does not adopt it again.
    private const int ReportedKept = 256;

    private readonly ConcurrentDictionary<(ClusterRef Cluster, string UserTaskId), byte> directTasks = new();
    private readonly ConcurrentDictionary<(ClusterRef Cluster, string UserTaskId), byte> reported = new();
    private readonly ConcurrentQueue<(ClusterRef Cluster, string UserTaskId)> reportedOrder = new();

    /// <summary>Remembers a directly started rebalance's user task until its result is logged.</summary>
    public void Remember(ManagedClusterOptions cluster, string userTaskId) => directTasks.TryAdd((cluster.Ref, userTaskId), 0);

    /// <summary>
    /// Remembers the execution Cruise Control's executor is running when this app started it (its reason is the app's)
    /// and this process does not know it yet: after a restart, the result is then logged when it finishes.
    /// </summary>
    public void Adopt(ManagedClusterOptions cluster, ExecutorState? executor)
    {
        if (executor is not { IsIdle: false, TriggeredUserTaskId: { Length: > 0 } taskId } || !IsOurs(executor.TriggeredTaskReason))
        {
            return;
        }

        if (!reported.ContainsKey((cluster.Ref, taskId)) && directTasks.TryAdd((cluster.Ref, taskId), 0))
        {
            LogAdopted(logger, cluster.Ref.ToString(), taskId, executor.State);
        }
    }

    /// <summary>
    /// Logs the results of the cluster's rebalances that finished since they were last looked at. Best effort: a failure
    /// is a warning and the next check tries again; it never stands in the way of the check's decision.
    /// </summary>
    public async Task ReportFinishedAsync(
        ManagedClusterOptions cluster, IReadOnlyList<CruiseControlOperation> clusterOperations, CruiseControlClient client, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var operation in clusterOperations.Where(IsOursAndUnreported))
            {
                await TryReportAsync(cluster, operation, cancellationToken);
            }

            foreach (var (_, taskId) in directTasks.Keys.Where(k => k.Cluster == cluster.Ref))
            {
                await TryReportAsync(cluster, client, taskId, cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is null)
        {
            // A 403 is not "later": it reaches the check, whose decision names the missing permission.
            LogNotReported(logger, cluster.Ref.ToString(), ex.ApiMessage());
        }
    }

    /// <summary>Logs the operation's result when its task has finished; true when it has (logged now or before).</summary>
    public async Task<bool> TryReportAsync(ManagedClusterOptions cluster, CruiseControlOperation operation, CancellationToken cancellationToken)
    {
        if (!operation.HasFinishedTask)
        {
            return false;
        }

        if (!IsOursAndUnreported(operation))
        {
            return true;
        }

        if (!await operations.TryMarkResultLoggedAsync(operation, cancellationToken))
        {
            return false; // changed since it was read (or deleted): the next look decides on a fresh reading
        }

        var task = operation.CurrentTask!;
        var error = string.IsNullOrEmpty(task.ErrorMessage) ? "" : $": {task.ErrorMessage}";
        LogResult(logger, cluster.Ref.ToString(), Describe(cluster, operation.Metadata.Name), $"{task.State} (user task {task.Id}){error}");
        return true;
    }

    /// <summary>Logs an operation that disappeared before its result was seen (deleted by hand, or after its TTL).</summary>
    public void ReportGone(ManagedClusterOptions cluster, string name) =>
        LogResult(logger, cluster.Ref.ToString(), Describe(cluster, name), "the operation is gone (finished and deleted after its TTL, or deleted by hand)");

    /// <summary>Logs the result of a rebalance another path followed to its end (Strimzi's KafkaRebalance), once.</summary>
    public void Report(ManagedClusterOptions cluster, string execution, string result) => LogResult(logger, cluster.Ref.ToString(), execution, result);

    /// <summary>Logs a direct rebalance's result when Cruise Control reports its user task finished (or forgotten); true then.</summary>
    public async Task<bool> TryReportAsync(ManagedClusterOptions cluster, CruiseControlClient client, string userTaskId, CancellationToken cancellationToken)
    {
        string result;
        try
        {
            var task = await client.GetUserTaskAsync(userTaskId, cancellationToken);
            if (task is { IsFinished: false })
            {
                return false;
            }

            result = Describe(task);
        }
        catch (CruiseControlException ex) when (ex.StatusCode == HttpStatusCode.InternalServerError)
        {
            // Cruise Control cannot return the response of a task whose request failed, and says so on every
            // request: read the status alone, so that the result is logged once instead of a warning every check.
            var task = await client.GetUserTaskAsync(userTaskId, cancellationToken, withResponse: false);
            if (task is { IsFinished: false })
            {
                return false;
            }

            result = task is null ? Describe(task) : $"{task.Status} (Cruise Control cannot return its response: {ex.ErrorMessage})";
        }

        if (directTasks.TryRemove((cluster.Ref, userTaskId), out _))
        {
            KeepReported((cluster.Ref, userTaskId));
            LogResult(logger, cluster.Ref.ToString(), $"user task {userTaskId}", result);
        }

        return true;
    }

    private void KeepReported((ClusterRef Cluster, string UserTaskId) task)
    {
        if (reported.TryAdd(task, 0))
        {
            reportedOrder.Enqueue(task);
        }

        while (reportedOrder.Count > ReportedKept && reportedOrder.TryDequeue(out var oldest))
        {
            reported.TryRemove(oldest, out _);
        }
    }

    /// <summary>Cruise Control's <c>triggeredTaskReason</c> is the request's <c>reason</c>, then " (Client: …, Date: …)".</summary>
    private static bool IsOurs(string? triggeredTaskReason) =>
        triggeredTaskReason is not null
        && (triggeredTaskReason == RebalanceStarter.TaskReason || triggeredTaskReason.StartsWith(RebalanceStarter.TaskReason + " (", StringComparison.Ordinal));

    private static bool IsOursAndUnreported(CruiseControlOperation operation) =>
        operation.HasFinishedTask
        && operation.Metadata.Labels?.TryGetValue(ManagedBy.Label, out var by) == true && by == ManagedBy.Value
        && operation.Metadata.Annotations?.ContainsKey(CruiseControlOperations.ResultLoggedAnnotation) != true;

    private static string Describe(ManagedClusterOptions cluster, string name) => $"CruiseControlOperation {cluster.Namespace}/{name}";

    private static string Describe(UserTask? task)
    {
        if (task is null)
        {
            return "the user task is unknown to Cruise Control (restarted, or the task expired)";
        }

        var summary = task.ReadOriginalResponse<OptimizationResult>()?.Summary;
        return summary is null
            ? $"{task.Status} ({task.OriginalResponse})"
            : string.Create(CultureInfo.InvariantCulture, $"{task.Status}: {summary.NumReplicaMovements} replica and {summary.NumLeaderMovements} leadership moves, {summary.TotalDataToMoveMB} MB");
    }

    [LoggerMessage(EventId = ResultEventId, EventName = "RebalanceResult", Level = LogLevel.Information,
        Message = "Rebalance of cluster {Cluster} ({Execution}) finished: {Result}")]
    private static partial void LogResult(ILogger logger, string cluster, string execution, string result);

    [LoggerMessage(EventId = 1303, EventName = "RebalanceAdopted", Level = LogLevel.Information,
        Message = "Cruise Control of cluster {Cluster} is executing user task {UserTaskId} ({ExecutorState}), a rebalance this app started before a restart or on another instance; its result is logged when it finishes")]
    private static partial void LogAdopted(ILogger logger, string cluster, string userTaskId, string executorState);

    [LoggerMessage(EventId = 1302, EventName = "RebalanceResultNotReported", Level = LogLevel.Warning,
        Message = "Results of finished rebalances of cluster {Cluster} could not be read or marked; the next check tries again: {Error}")]
    private static partial void LogNotReported(ILogger logger, string cluster, string error);
}
