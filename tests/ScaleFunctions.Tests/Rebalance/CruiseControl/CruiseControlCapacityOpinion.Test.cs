using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Tests.Rebalance.CruiseControl;

/// <summary>
/// Reading Cruise Control's optimization failure: a goal it cannot satisfy with a recommendation to add brokers is
/// UNDER_PROVISIONED (as its own AbstractGoal records it); any other error is not an opinion.
/// </summary>
public sealed class CruiseControlCapacityOpinionTest
{
    [Theory]
    [InlineData(
        "Error processing GET request '/proposals' due to: 'com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: [CpuCapacityGoal] Insufficient capacity for cpu (Utilization 615.00, Allowed Capacity 420.00, Threshold: 0.70). Add at least 2 brokers with the same cpu capacity (100.00) as broker-0.'.",
        "[CpuCapacityGoal] Insufficient capacity for cpu (Utilization 615.00, Allowed Capacity 420.00, Threshold: 0.70). Add at least 2 brokers with the same cpu capacity (100.00) as broker-0.")]
    [InlineData(
        "Error processing GET request '/proposals' due to: 'com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: [RackAwareGoal] Insufficient number of racks to distribute each replica (Current: 2, Needed: 3). Add at least 1 rack with brokers. || Tips: [1] Remove excluded topics.'.",
        "[RackAwareGoal] Insufficient number of racks to distribute each replica (Current: 2, Needed: 3). Add at least 1 rack with brokers.")]
    public void An_optimization_failure_with_an_add_recommendation_is_under_provisioned(string errorMessage, string expected) =>
        Assert.Equal(expected, CruiseControlCapacityOpinion.UnderProvisioned(errorMessage));

    [Theory]
    [InlineData("Error processing GET request '/proposals' due to: 'com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: Insufficient healthy cluster capacity.'.")]
    [InlineData("Error processing POST request '/rebalance' due to: 'java.lang.IllegalArgumentException: Missing hard goals [DiskCapacityGoal] in the provided goals: [RackAwareGoal]. Add skip_hard_goal_check=true parameter to ignore this sanity check.'.")]
    [InlineData("")]
    public void Any_other_error_is_no_opinion(string errorMessage) =>
        Assert.Null(CruiseControlCapacityOpinion.UnderProvisioned(errorMessage));
}
