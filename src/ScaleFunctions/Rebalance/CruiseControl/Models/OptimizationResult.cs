using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary>
/// What <c>proposals</c>, <c>rebalance</c>, <c>add_broker</c> and <c>remove_broker</c> answer (dry run or not): a summary of
/// the moves and, per goal, whether the proposal leaves it <c>NO-ACTION</c>, <c>FIXED</c> or still <c>VIOLATED</c>.
/// </summary>
public sealed record OptimizationResult(
    [property: JsonPropertyName("summary")] OptimizationSummary Summary,
    [property: JsonPropertyName("goalSummary")] IReadOnlyList<GoalStatus> GoalSummary,
    [property: JsonPropertyName("version")] int Version);

/// <summary>The optimizer's summary of a proposal.</summary>
public sealed record OptimizationSummary(
    [property: JsonPropertyName("numReplicaMovements")] int NumReplicaMovements,
    [property: JsonPropertyName("dataToMoveMB")] long DataToMoveMB,
    [property: JsonPropertyName("numIntraBrokerReplicaMovements")] int NumIntraBrokerReplicaMovements,
    [property: JsonPropertyName("intraBrokerDataToMoveMB")] long IntraBrokerDataToMoveMB,
    [property: JsonPropertyName("numLeaderMovements")] int NumLeaderMovements,
    [property: JsonPropertyName("onDemandBalancednessScoreBefore")] double OnDemandBalancednessScoreBefore,
    [property: JsonPropertyName("onDemandBalancednessScoreAfter")] double OnDemandBalancednessScoreAfter,
    [property: JsonPropertyName("provisionStatus")] string? ProvisionStatus = null,
    [property: JsonPropertyName("provisionRecommendation")] string? ProvisionRecommendation = null)
{
    /// <summary>Replica moves between brokers, between disks of a broker, and leadership moves.</summary>
    public int TotalMovements => NumReplicaMovements + NumIntraBrokerReplicaMovements + NumLeaderMovements;

    public long TotalDataToMoveMB => DataToMoveMB + IntraBrokerDataToMoveMB;

    public double BalancednessGain => OnDemandBalancednessScoreAfter - OnDemandBalancednessScoreBefore;
}

/// <summary>One goal's outcome in a proposal.</summary>
public sealed record GoalStatus(
    [property: JsonPropertyName("goal")] string Goal,
    [property: JsonPropertyName("status")] string Status)
{
    public const string Fixed = "FIXED";
    public const string Violated = "VIOLATED";
    public const string NoAction = "NO-ACTION";

    public bool IsFixed => string.Equals(Status, Fixed, StringComparison.Ordinal);
}
