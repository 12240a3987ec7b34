using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary>
/// <c>GET state?json=true</c>: one entry per requested substate (executor, monitor, analyzer, anomaly_detector).
/// A substate that was not requested is null.
/// </summary>
public sealed record CruiseControlState(
    [property: JsonPropertyName("ExecutorState")] ExecutorState? Executor,
    [property: JsonPropertyName("MonitorState")] MonitorState? Monitor,
    [property: JsonPropertyName("AnalyzerState")] AnalyzerState? Analyzer,
    [property: JsonPropertyName("AnomalyDetectorState")] AnomalyDetectorState? AnomalyDetector,
    [property: JsonPropertyName("version")] int Version);

/// <summary>What the executor is doing. Idle when <see cref="State"/> is <c>NO_TASK_IN_PROGRESS</c>.</summary>
public sealed record ExecutorState(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("triggeredUserTaskId")] string? TriggeredUserTaskId = null,
    [property: JsonPropertyName("triggeredTaskReason")] string? TriggeredTaskReason = null,
    [property: JsonPropertyName("numTotalPartitionMovements")] int? NumTotalPartitionMovements = null,
    [property: JsonPropertyName("numFinishedPartitionMovements")] int? NumFinishedPartitionMovements = null,
    [property: JsonPropertyName("finishedDataMovement")] long? FinishedDataMovement = null,
    [property: JsonPropertyName("totalDataToMove")] long? TotalDataToMove = null,
    [property: JsonPropertyName("error")] string? Error = null)
{
    public const string Idle = "NO_TASK_IN_PROGRESS";

    public bool IsIdle => string.Equals(State, Idle, StringComparison.Ordinal);

    /// <summary>For logs: the state, the user task that triggered it and how much data has moved.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Cruise Control's executor is {State} (user task {TriggeredUserTaskId}, {FinishedDataMovement ?? 0}/{TotalDataToMove ?? 0} MB moved)");
}

/// <summary>The load monitor. Proposals are only meaningful while it is <c>RUNNING</c>.</summary>
public sealed record MonitorState(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("trained")] bool Trained = false,
    [property: JsonPropertyName("trainingPct")] double TrainingPct = 0,
    [property: JsonPropertyName("numMonitoredWindows")] double NumMonitoredWindows = 0,
    [property: JsonPropertyName("monitoringCoveragePct")] double MonitoringCoveragePct = 0,
    [property: JsonPropertyName("numValidPartitions")] double NumValidPartitions = 0,
    [property: JsonPropertyName("numTotalPartitions")] double NumTotalPartitions = 0,
    [property: JsonPropertyName("numFlawedPartitions")] double NumFlawedPartitions = 0,
    [property: JsonPropertyName("reasonOfLatestPauseOrResume")] string? ReasonOfLatestPauseOrResume = null,
    [property: JsonPropertyName("error")] string? Error = null)
{
    public const string Running = "RUNNING";

    public bool IsRunning => string.Equals(State, Running, StringComparison.Ordinal);
}

/// <summary>The analyzer: whether a proposal is ready and for which goals.</summary>
public sealed record AnalyzerState(
    [property: JsonPropertyName("isProposalReady")] bool IsProposalReady,
    [property: JsonPropertyName("readyGoals")] IReadOnlyList<string> ReadyGoals);

/// <summary>The anomaly detector: self-healing switches, recent anomalies and the balancedness score.</summary>
public sealed record AnomalyDetectorState(
    [property: JsonPropertyName("selfHealingEnabled")] IReadOnlyList<string> SelfHealingEnabled,
    [property: JsonPropertyName("selfHealingDisabled")] IReadOnlyList<string> SelfHealingDisabled,
    [property: JsonPropertyName("recentGoalViolations")] IReadOnlyList<AnomalyDetails> RecentGoalViolations,
    [property: JsonPropertyName("recentBrokerFailures")] IReadOnlyList<AnomalyDetails> RecentBrokerFailures,
    [property: JsonPropertyName("recentDiskFailures")] IReadOnlyList<AnomalyDetails> RecentDiskFailures,
    [property: JsonPropertyName("recentMetricAnomalies")] IReadOnlyList<AnomalyDetails> RecentMetricAnomalies,
    [property: JsonPropertyName("balancednessScore")] double? BalancednessScore);

/// <summary>One detected anomaly.</summary>
public sealed record AnomalyDetails(
    [property: JsonPropertyName("anomalyId")] string? AnomalyId,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("detectionMs")] long? DetectionMs,
    [property: JsonPropertyName("statusUpdateMs")] long? StatusUpdateMs);
