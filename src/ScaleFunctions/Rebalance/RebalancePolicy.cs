using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleFunctions.Rebalance.CruiseControl.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// The decision rule. Never rebalance when the proposal moves nothing (no replica, intra-broker or leadership move and
/// no data). Otherwise rebalance when the proposal fixes a violated goal (goal status <c>FIXED</c>), or when it raises
/// the on-demand balancedness score by at least <see cref="RebalanceOptions.MinBalancednessGain"/>
/// (docs/rebalance.md#the-decision-rule).
/// </summary>
public sealed class RebalancePolicy(IOptions<RebalanceOptions> options)
{
    public RebalanceDecision Decide(OptimizationResult proposal)
    {
        var summary = proposal.Summary;
        var moves = string.Create(CultureInfo.InvariantCulture,
            $"{summary.NumReplicaMovements} replica, {summary.NumIntraBrokerReplicaMovements} intra-broker and {summary.NumLeaderMovements} leadership moves, {summary.TotalDataToMoveMB} MB");
        var score = string.Create(CultureInfo.InvariantCulture,
            $"balancedness {summary.OnDemandBalancednessScoreBefore:0.##} -> {summary.OnDemandBalancednessScoreAfter:0.##} (gain {summary.BalancednessGain:0.##}, threshold {options.Value.MinBalancednessGain:0.##})");

        if (summary.TotalMovements == 0 && summary.TotalDataToMoveMB == 0)
        {
            return new RebalanceDecision(false, $"the proposal moves nothing; {score}");
        }

        var fixedGoals = proposal.GoalSummary.Where(g => g.IsFixed).Select(g => g.Goal).ToList();
        if (fixedGoals.Count > 0)
        {
            return new RebalanceDecision(true, $"the proposal fixes violated goals {string.Join(", ", fixedGoals)} with {moves}; {score}");
        }

        if (summary.BalancednessGain >= options.Value.MinBalancednessGain)
        {
            return new RebalanceDecision(true, $"the proposal improves balance enough with {moves}; {score}");
        }

        return new RebalanceDecision(false, $"no fixable goal violation and too little gain for {moves}; {score}");
    }
}

/// <summary>Whether a proposal is worth executing, and why (the reason goes into the decision log as is).</summary>
public sealed record RebalanceDecision(bool Rebalance, string Reason);
