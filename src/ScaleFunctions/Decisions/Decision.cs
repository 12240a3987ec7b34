

namespace ScaleFunctions.Decisions;

/// <summary>
/// One decision, as logged and counted: which component made it (<see cref="Stage"/>: intake, executor, rebalance),
/// about which cluster and command, caused by which alerts, with what outcome and why.
/// </summary>
public sealed record Decision(
    string Stage,
    string Cluster,
    string Command,
    IReadOnlyList<string> Fingerprints,
    DecisionOutcome Outcome,
    string Reason)
{
    /// <summary>Seconds from the alert's intake to this decision, when known (executor decisions).</summary>
    public double? LatencySeconds { get; init; }

    /// <summary>The command's idempotency key, when there is one.</summary>
    public string? CommandKey { get; init; }

    /// <summary>A stable, machine-readable code for the reason (the executor's <c>ReasonCodes</c>, intake's codes), when there is one.</summary>
    public string? ReasonCode { get; init; }
}

/// <summary>What became of an alert or a command. Every decision is logged exactly once with one of these.</summary>
public enum DecisionOutcome
{
    /// <summary>Acted on: a command was enqueued (intake) or applied to the cluster (executor, rebalance).</summary>
    Acted,

    /// <summary>Not now: the cluster is busy or cooling down; the command goes back on the queue.</summary>
    Deferred,

    /// <summary>Never: invalid input, a limit, a guard. The reason says which.</summary>
    Refused,

    /// <summary>Not ours: no command, another cluster, a replay, a resolved alert.</summary>
    Ignored,
}
