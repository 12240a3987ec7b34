using System.Text.Json.Nodes;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Execution;

/// <summary>
/// What the executor would decide for a command right now (<see cref="ScaleExecutor.PlanAsync"/>): outcome, reason code
/// and reason as it would record them, and when it acts the JSON Patch (RFC 6902) it would write and log.
/// </summary>
public sealed record PlannedDecision(DecisionOutcome Outcome, string ReasonCode, string Reason, JsonNode? Patch)
{
    /// <summary>Deferred: how long the command would wait on the queue.</summary>
    public TimeSpan? DeferFor { get; init; }
}
