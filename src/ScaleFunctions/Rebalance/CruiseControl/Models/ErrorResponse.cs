using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary>The body of every Cruise Control error (with <c>json=true</c>). The stack trace is kept out of logs.</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("errorMessage")] string? ErrorMessage,
    [property: JsonPropertyName("version")] int Version = 1);
