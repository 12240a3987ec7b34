using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary>The body of a 202: the steps an asynchronous request has gone through so far.</summary>
public sealed record ProgressResult(
    [property: JsonPropertyName("progress")] IReadOnlyList<OperationProgress> Progress,
    [property: JsonPropertyName("version")] int Version)
{
    /// <summary>The latest step, e.g. <c>WAITING_FOR_CLUSTER_MODEL</c>, for logs.</summary>
    public string? LatestStep => Progress.LastOrDefault()?.Steps.LastOrDefault()?.Step;
}

/// <summary>Progress of one operation.</summary>
public sealed record OperationProgress(
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("operationProgress")] IReadOnlyList<StepProgress> Steps);

/// <summary>One step of an operation.</summary>
public sealed record StepProgress(
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("description")] string Description);
