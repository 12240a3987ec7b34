namespace ScaleFunctions.Decisions;

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
