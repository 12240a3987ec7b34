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
    [property: JsonPropertyName("finishedDataMovement")] long? FinishedDataMovement = null,
    [property: JsonPropertyName("totalDataToMove")] long? TotalDataToMove = null,
    [property: JsonPropertyName("error")] string? Error = null,
    [property: JsonPropertyName("triggeredTaskReason")] string? TriggeredTaskReason = null)
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
    [property: JsonPropertyName("trainingPct")] double TrainingPct = 0,
    [property: JsonPropertyName("monitoringCoveragePct")] double MonitoringCoveragePct = 0,
    [property: JsonPropertyName("numTotalPartitions")] double NumTotalPartitions = 0,
    [property: JsonPropertyName("error")] string? Error = null)
{
    public const string Running = "RUNNING";

    public bool IsRunning => string.Equals(State, Running, StringComparison.Ordinal);
}

/// <summary>The analyzer: whether a proposal is ready and for which goals.</summary>
public sealed record AnalyzerState(
    [property: JsonPropertyName("isProposalReady")] bool IsProposalReady,
    [property: JsonPropertyName("readyGoals")] IReadOnlyList<string> ReadyGoals);

/// <summary>The anomaly detector: which self-healing is off, and the balancedness score.</summary>
public sealed record AnomalyDetectorState(
    [property: JsonPropertyName("selfHealingDisabled")] IReadOnlyList<string> SelfHealingDisabled,
    [property: JsonPropertyName("balancednessScore")] double? BalancednessScore);
