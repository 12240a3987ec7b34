using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl.Models;
using ScaleFunctions.Strimzi;

namespace ScaleFunctions.Rebalance.Strimzi;

/// <summary>
/// One KafkaRebalance as Strimzi's operator left it: its state is the <c>type</c> of the status condition that names a
/// state (<see cref="StrimziNames.RebalanceStates"/>) with status <c>True</c>, since its <c>lastTransitionTime</c>; no
/// such condition yet is <c>New</c> (Strimzi has not reconciled it). <c>status.optimizationResult</c> is Cruise
/// Control's proposal summary as Strimzi copied it (no goal statuses).
/// </summary>
public sealed record KafkaRebalanceReading(
    string Name,
    string? ResourceVersion,
    string? Cluster,
    bool IsTemplate,
    bool IsOurs,
    string State,
    DateTimeOffset? Since,
    string? ConditionReason,
    string? ConditionMessage,
    string? RebalanceAnnotation,
    JsonObject? Annotations,
    JsonObject? OptimizationResult)
{
    /// <summary>Asked for or running: no other rebalance, no approval meanwhile.</summary>
    public bool IsActive => StrimziNames.RebalanceStates.Active.Contains(State);

    public static KafkaRebalanceReading From(JsonObject resource)
    {
        var metadata = resource["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;
        var state = StrimziCluster.StateCondition(resource);
        return new KafkaRebalanceReading(
            Text(metadata?["name"]) ?? "",
            Text(metadata?["resourceVersion"]),
            Text(labels?[StrimziNames.ClusterLabel]),
            Text(annotations?[StrimziNames.TemplateAnnotation]) is { } template && template.Equals("true", StringComparison.OrdinalIgnoreCase),
            Text(labels?[ManagedBy.Label]) == ManagedBy.Value,
            state?.Type ?? StrimziNames.RebalanceStates.New,
            DateTimeOffset.TryParse(state?.LastTransitionTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) ? since : null,
            state?.Reason,
            state?.Message,
            Text(annotations?[StrimziNames.RebalanceAnnotation]),
            annotations,
            resource["status"]?["optimizationResult"] as JsonObject);
    }

    /// <summary>The proposal's summary as the decision rule reads it; null when Strimzi wrote none.</summary>
    public OptimizationSummary? Summary()
    {
        if (OptimizationResult is not { Count: > 0 } result)
        {
            return null;
        }

        try
        {
            return result.Deserialize<OptimizationSummary>();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"KafkaRebalance {Name}: status.optimizationResult is not Cruise Control's proposal summary: {ex.Message}", ex);
        }
    }

    /// <summary>The moves and balancedness of <see cref="Summary"/>, for a result line.</summary>
    public string DescribeResult() => Summary() is { } s
        ? string.Create(CultureInfo.InvariantCulture,
            $"{s.NumReplicaMovements} replica, {s.NumIntraBrokerReplicaMovements} intra-broker and {s.NumLeaderMovements} leadership moves, {s.TotalDataToMoveMB} MB; balancedness {s.OnDemandBalancednessScoreBefore:0.##} -> {s.OnDemandBalancednessScoreAfter:0.##}")
        : "no optimizationResult in its status";

    /// <summary><c>name (State since …)</c>, for reasons.</summary>
    public string Describe() => Since is { } since
        ? string.Create(CultureInfo.InvariantCulture, $"{Name} ({State} since {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ})")
        : $"{Name} ({State})";

    private static string? Text(JsonNode? node) => ResourceFields.Text(node);
}
