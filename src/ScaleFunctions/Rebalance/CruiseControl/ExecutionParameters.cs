using ScaleFunctions.Configuration;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// The execution parameters of a <c>rebalance</c>. <see cref="DryRun"/> is always sent (Cruise Control's default is
/// true), and <c>stop_ongoing_execution=false</c>: this app never interrupts an execution it did not start.
/// </summary>
public sealed record ExecutionParameters(bool DryRun)
{
    public IReadOnlyList<string> Goals { get; init; } = [];

    public long? ReplicationThrottle { get; init; }

    public int? ConcurrentPartitionMovementsPerBroker { get; init; }

    public int? ConcurrentLeaderMovements { get; init; }

    /// <summary>Shown by Cruise Control as the execution's <c>triggeredTaskReason</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>The execution settings configured for a cluster.</summary>
    public static ExecutionParameters From(CruiseControlOptions options, bool dryRun, string? reason = null) => new(dryRun)
    {
        Goals = options.GoalList,
        ReplicationThrottle = options.ReplicationThrottle,
        ConcurrentPartitionMovementsPerBroker = options.ConcurrentPartitionMovementsPerBroker,
        ConcurrentLeaderMovements = options.ConcurrentLeaderMovements,
        Reason = reason,
    };

    internal void AddTo(CruiseControlQuery query)
    {
        query.Add("dryrun", DryRun).Add("stop_ongoing_execution", false);
        query.AddIf("goals", Goals.Count > 0 ? string.Join(',', Goals) : null);
        query.AddIf("replication_throttle", ReplicationThrottle?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        query.AddIf("concurrent_partition_movements_per_broker", ConcurrentPartitionMovementsPerBroker?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        query.AddIf("concurrent_leader_movements", ConcurrentLeaderMovements?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        query.AddIf("reason", Reason);
    }
}
