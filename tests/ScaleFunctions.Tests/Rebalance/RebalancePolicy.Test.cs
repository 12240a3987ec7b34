using System.Text.Json;
using Microsoft.Extensions.Options;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Rebalance.CruiseControl.Models;
using ScaleFunctions.Testing.CruiseControl;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>The decision rule on real proposals (and proposals derived from them).</summary>
public sealed class RebalancePolicyTest
{
    private static RebalanceDecision Decide(CruiseControlReply proposal, double minGain = 5.0) =>
        new RebalancePolicy(Options.Create(new RebalanceOptions { MinBalancednessGain = minGain }))
            .Decide(JsonSerializer.Deserialize<OptimizationResult>(proposal.Body, CruiseControlJson.Options)!);

    [Fact]
    public void A_fixed_goal_violation_with_moves_is_worth_a_rebalance_whatever_the_gain()
    {
        var decision = Decide(CruiseControlReply.Proposal, minGain: 50);

        Assert.True(decision.Rebalance);
        Assert.Contains("fixes violated goals DiskUsageDistributionGoal", decision.Reason);
        Assert.Contains("31 replica, 0 intra-broker and 12 leadership moves", decision.Reason);
    }

    [Theory]
    [InlineData(4.33, true)]
    [InlineData(4.34, false)]
    [InlineData(0, true)]
    public void Without_a_fixed_goal_the_balancedness_gain_must_reach_the_threshold(double minGain, bool rebalance)
    {
        var decision = Decide(CruiseControlReply.ProposalWithoutFixedGoals, minGain);

        Assert.Equal(rebalance, decision.Rebalance);
        Assert.Contains("balancedness 79.75 -> 84.08 (gain 4.33", decision.Reason);
    }

    [Fact]
    public void A_proposal_that_moves_nothing_is_never_worth_it_even_with_a_fixed_goal_and_no_threshold()
    {
        var decision = Decide(CruiseControlReply.ProposalMovingNothing, minGain: 0);

        Assert.False(decision.Rebalance);
        Assert.Contains("moves nothing", decision.Reason);
    }

    [Fact]
    public void Data_to_move_alone_counts_as_moving()
    {
        var decision = Decide(CruiseControlReply.ProposalMovingNothing.Replace("\"dataToMoveMB\":0", "\"dataToMoveMB\":10"), minGain: 0);

        Assert.True(decision.Rebalance);
    }

    [Fact]
    public void A_newer_cruise_control_result_is_decided_the_same_way()
    {
        var decision = Decide(CruiseControlReply.Fixture(CruiseControlFixtures.NewerOptimizationResult));

        Assert.True(decision.Rebalance);
        Assert.Contains("DiskUsageDistributionGoal, LeaderBytesInDistributionGoal", decision.Reason);
        Assert.Contains("4826 MB", decision.Reason);
    }
}
