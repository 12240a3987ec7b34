using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary><c>POST stop_proposal_execution?json=true</c>.</summary>
public sealed record StopProposalResult(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("version")] int Version);
