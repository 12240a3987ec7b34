using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Rebalance.CruiseControl.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Logs how each rebalance this app started ended, once (event <c>1301 RebalanceResult</c>): while the check follows it,
/// or at the start of a later check. Operator path: a finished CruiseControlOperation labelled
/// <c>app.kubernetes.io/managed-by=scalefunctions</c> is annotated <c>scalefunctions.io/result-logged</c> (guarded by
/// its resourceVersion) before its result is logged. Direct path: the user task id is remembered in this process
/// until Cruise Control reports the task finished (a restart forgets it; see docs/rebalance.md).
/// </summary>
public sealed partial class RebalanceResults(CruiseControlOperations operations, ILogger<RebalanceResults> logger)
{
    public const int ResultEventId = 1301;

    private readonly ConcurrentDictionary<ClusterRef, string> directTasks = new();

    /// <summary>Remembers a directly started rebalance's user task until its result is logged.</summary>
    public void Remember(ManagedClusterOptions cluster, string userTaskId) => directTasks[cluster.Ref] = userTaskId;

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

            if (directTasks.TryGetValue(cluster.Ref, out var taskId))
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
        var task = await client.GetUserTaskAsync(userTaskId, cancellationToken);
        if (task is { IsFinished: false })
        {
            return false;
        }

        if (directTasks.TryRemove(new KeyValuePair<ClusterRef, string>(cluster.Ref, userTaskId)))
        {
            LogResult(logger, cluster.Ref.ToString(), $"user task {userTaskId}", Describe(task));
        }

        return true;
    }

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

    [LoggerMessage(EventId = 1302, EventName = "RebalanceResultNotReported", Level = LogLevel.Warning,
        Message = "Results of finished rebalances of cluster {Cluster} could not be read or marked; the next check tries again: {Error}")]
    private static partial void LogNotReported(ILogger logger, string cluster, string error);
}
