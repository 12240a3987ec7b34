using System.Text.Json.Serialization;
using k8s.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Koperator's <c>kafka.banzaicloud.io/v1alpha1</c> CruiseControlOperation. The task is not in the spec: Koperator reads
/// it from <c>status.currentTask</c> (operation + parameters) and writes the Cruise Control task's id and state there.
/// The operation belongs to the KafkaCluster named by its <c>kafka_cr</c> label, in the same namespace.
/// </summary>
public sealed record CruiseControlOperation
{
    public const string Group = "kafka.banzaicloud.io";
    public const string Version = "v1alpha1";
    public const string Plural = "cruisecontroloperations";
    public const string ClusterLabel = "kafka_cr";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; init; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "CruiseControlOperation";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public CruiseControlOperationSpec Spec { get; init; } = new();

    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CruiseControlOperationStatus? Status { get; init; }

    public CruiseControlTask? CurrentTask => Status?.CurrentTask;

    /// <summary>For logs: <c>Koperator has unfinished CruiseControlOperations: name (operation state), …</c>.</summary>
    public static string DescribeUnfinished(IEnumerable<CruiseControlOperation> unfinished) =>
        $"Koperator has unfinished CruiseControlOperations: {string.Join(", ", unfinished.Select(o => $"{o.Metadata.Name} ({o.CurrentTask?.Operation} {o.CurrentTask?.State ?? "waiting"})"))}";

    /// <summary>The task has ended (<c>Completed</c> or <c>CompletedWithError</c>), whatever Koperator does next.</summary>
    public bool HasFinishedTask => CurrentTask?.State is CruiseControlTask.Completed or CruiseControlTask.CompletedWithError;

    /// <summary>
    /// Still to run or running, as Koperator's controller sees it: a known task that is neither <c>Completed</c>, nor
    /// <c>CompletedWithError</c> with errorPolicy <c>ignore</c> or the <c>pause</c> label. Koperator's own <c>status</c>
    /// probes move nothing and do not count.
    /// </summary>
    public bool IsUnfinished
    {
        get
        {
            if (CurrentTask is not { } task || !CruiseControlTask.MovingOperations.Contains(task.Operation))
            {
                return false;
            }

            var ignoresErrors = string.Equals(Spec.ErrorPolicy, CruiseControlOperationSpec.ErrorPolicyIgnore, StringComparison.Ordinal);
            var paused = Metadata.Labels?.TryGetValue("pause", out var pause) == true && pause == "true";
            return task.State switch
            {
                CruiseControlTask.Completed => false,
                CruiseControlTask.CompletedWithError => !(ignoresErrors || paused),
                _ => true,
            };
        }
    }
}

/// <summary>The operation's spec: what to do when the task fails, and when to delete the finished object.</summary>
public sealed record CruiseControlOperationSpec
{
    public const string ErrorPolicyIgnore = "ignore";
    public const string ErrorPolicyRetry = "retry";

    [JsonPropertyName("errorPolicy")]
    public string ErrorPolicy { get; init; } = ErrorPolicyRetry;

    [JsonPropertyName("ttlSecondsAfterFinished")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TtlSecondsAfterFinished { get; init; }
}

/// <summary>The operation's status, where the task lives.</summary>
public sealed record CruiseControlOperationStatus
{
    [JsonPropertyName("currentTask")]
    public CruiseControlTask? CurrentTask { get; init; }

    [JsonPropertyName("errorPolicy")]
    public string ErrorPolicy { get; init; } = CruiseControlOperationSpec.ErrorPolicyRetry;

    [JsonPropertyName("retryCount")]
    public int RetryCount { get; init; }
}

/// <summary>A Cruise Control task as Koperator tracks it (<c>state</c> is Cruise Control's user task status).</summary>
public sealed record CruiseControlTask
{
    public const string Rebalance = "rebalance";
    public const string Completed = "Completed";
    public const string CompletedWithError = "CompletedWithError";

    /// <summary>The operations Koperator's controller executes (everything but its own <c>status</c> probes).</summary>
    public static readonly IReadOnlySet<string> MovingOperations =
        new HashSet<string>(StringComparer.Ordinal) { "add_broker", "remove_broker", "remove_disks", Rebalance, "stop_proposal_execution" };

    [JsonPropertyName("operation")]
    public string Operation { get; init; } = "";

    [JsonPropertyName("parameters")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("state")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; init; }

    [JsonPropertyName("errorMessage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorMessage { get; init; }

    [JsonPropertyName("summary")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Summary { get; init; }
}

/// <summary>A list of operations, as the API server returns it.</summary>
public sealed record CruiseControlOperationList
{
    [JsonPropertyName("items")]
    public IReadOnlyList<CruiseControlOperation> Items { get; init; } = [];
}
