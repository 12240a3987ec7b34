using System.ComponentModel.DataAnnotations;

namespace ScaleFunctions.Rebalance;

/// <summary>The rebalance check's policy (<c>Rebalance__*</c>). The schedule itself is the flat <c>RebalanceSchedule</c> setting.</summary>
public sealed class RebalanceOptions
{
    public const string SectionName = "Rebalance";

    /// <summary>Plan mode: decide and log the decision, start nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>
    /// Rebalance when the proposal raises Cruise Control's on-demand balancedness score (0–100) by at least this much,
    /// even without a fixed goal violation.
    /// </summary>
    [Range(0.0, 100.0)]
    public double MinBalancednessGain { get; set; } = 5.0;

    /// <summary>Wait between two looks at a started rebalance.</summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a started rebalance is looked at before the check returns (0: do not follow); a later check logs a longer one's result.</summary>
    [Range(0, 1000)]
    public int FollowPolls { get; set; } = 6;

    /// <summary><c>spec.ttlSecondsAfterFinished</c> of the CruiseControlOperations this app creates (Koperator deletes them after).</summary>
    [Range(0, int.MaxValue)]
    public int OperationTtlSeconds { get; set; } = 86400;

    /// <summary>Strimzi: a KafkaRebalance proposal ready for longer than this is refreshed before it is judged (the cluster moved on since).</summary>
    public TimeSpan ProposalMaxAge { get; set; } = TimeSpan.FromMinutes(15);
}
