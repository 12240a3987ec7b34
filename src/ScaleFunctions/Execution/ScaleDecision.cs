using System.Text.Json.Nodes;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Execution;

/// <summary>
/// What the executor decided for one command on one reading of the cluster: act (with the guard state to record), defer
/// (for how long), refuse or ignore — always with a reason code from <see cref="ReasonCodes"/> and a sentence.
/// </summary>
public sealed record ScaleDecision(DecisionOutcome Outcome, string ReasonCode, string Reason)
{
    /// <summary>Acted: the executor's memory after this action, written in the same patch as the change.</summary>
    public GuardState? After { get; init; }

    /// <summary>Deferred: how long the command stays invisible on the queue.</summary>
    public TimeSpan DeferFor { get; init; }

    /// <summary>
    /// A deferral that writes first: the first step of a multi-step action (Strimzi's drain before a downScale). The
    /// step's patch is sent, then the command goes back on the queue to continue; the guard state is not yet written.
    /// </summary>
    public bool Writes { get; init; }

    /// <summary>Acts, or writes a first step: the executor sends a patch for this decision.</summary>
    public bool SendsPatch => Outcome == DecisionOutcome.Acted || Writes;

    public string Text => $"{ReasonCode}: {Reason}";

    public static ScaleDecision Act(GuardState after, string summary) =>
        new(DecisionOutcome.Acted, ReasonCodes.Applied, summary) { After = after };

    public static ScaleDecision Defer(string code, string reason, TimeSpan delay) =>
        new(DecisionOutcome.Deferred, code, reason) { DeferFor = delay };

    public static ScaleDecision Prepare(string code, string reason, TimeSpan delay) =>
        new(DecisionOutcome.Deferred, code, reason) { DeferFor = delay, Writes = true };

    public static ScaleDecision Refuse(string code, string reason) => new(DecisionOutcome.Refused, code, reason);

    public static ScaleDecision Ignore(string code, string reason) => new(DecisionOutcome.Ignored, code, reason);
}

/// <summary>
/// What the executor would decide for a command right now (<see cref="ScaleExecutor.PlanAsync"/>): outcome, reason code
/// and reason as it would record them, and when it acts the JSON Patch (RFC 6902) it would write and log.
/// </summary>
public sealed record PlannedDecision(DecisionOutcome Outcome, string ReasonCode, string Reason, JsonNode? Patch)
{
    /// <summary>Deferred: how long the command would wait on the queue.</summary>
    public TimeSpan? DeferFor { get; init; }
}
