using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// What the executor needs from one kind of cluster resource (Koperator's KafkaCluster, Strimzi's node pools): read
/// the facts the guards decide on, plan a command on that reading, and write the change as a patch. Everything
/// operator-specific lives behind it; <see cref="ScaleGuards"/> and <see cref="ScaleExecutor"/> know no resource
/// (docs/executor.md#one-seam-per-kind-of-cluster).
/// </summary>
public interface IClusterAdapter
{
    ClusterKind Kind { get; }

    /// <summary>Reads the cluster resource once. Throws the API server's error (404, 403, 5xx) for the executor to sort.</summary>
    Task<ClusterReading> ReadAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Plans <paramref name="command"/> on <paramref name="reading"/>: a change, nothing to do, or a refusal. Pure.
    /// <paramref name="replicaCounts"/> (Cruise Control's, null when unknown) choose the broker a downScale removes.
    /// </summary>
    ClusterPlan Plan(ScaleCommand command, ClusterReading reading, IReadOnlyDictionary<int, int>? replicaCounts);

    /// <summary>
    /// The patch that makes <paramref name="plan"/> and records <paramref name="after"/> (the guard annotations; null for
    /// the first step of a multi-step plan, see <see cref="ClusterPlan.PrepareCode"/>) in one write, with the reading's
    /// resourceVersion as its precondition. This exact patch is logged and sent. Pure.
    /// </summary>
    JsonNode Patch(ClusterReading reading, ClusterPlan plan, GuardState? after);

    /// <summary>Sends a <see cref="Patch"/>. A stale resourceVersion (a lost race) is thrown as a conflict.</summary>
    Task WriteAsync(ManagedClusterOptions cluster, JsonNode patch, CancellationToken cancellationToken);
}

/// <summary>Finds the adapter for a managed cluster's kind.</summary>
public static class ClusterAdapters
{
    /// <summary>The adapter for <paramref name="kind"/>; null when this app has none.</summary>
    public static IClusterAdapter? For(this IEnumerable<IClusterAdapter> adapters, ClusterKind kind) =>
        adapters.FirstOrDefault(a => a.Kind == kind);

    /// <summary>Reads <paramref name="cluster"/> through its kind's adapter; NotSupportedException when there is none.</summary>
    public static Task<ClusterReading> ReadAsync(this IEnumerable<IClusterAdapter> adapters, ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        (adapters.For(cluster.Kind) ?? throw new NotSupportedException($"{cluster.Kind} clusters are not supported ({cluster.Ref})."))
            .ReadAsync(cluster, cancellationToken);
}

/// <summary>
/// The facts a decision is made on, read once from the cluster resource: the executor's own memory (its annotations),
/// the broker count, the operator's limits, and why the operator is busy (empty when it rests). Adapters derive from it
/// to keep what they need to plan and patch.
/// </summary>
public abstract record ClusterReading
{
    public required GuardState Guard { get; init; }

    public required int BrokerCount { get; init; }

    /// <summary>The operator's own state, for status answers (Koperator's <c>status.state</c>).</summary>
    public string? State { get; init; }

    /// <summary>An operator-side ceiling on upScale (Koperator's <c>spec.alertManagerConfig.upScaleLimit</c>), when set.</summary>
    public OperatorLimit? UpScaleLimit { get; init; }

    /// <summary>An operator-side floor on downScale, when set.</summary>
    public OperatorLimit? DownScaleLimit { get; init; }

    /// <summary>Why the cluster is not resting (reason code and reason): not ready, an operator action pending. Empty when it rests.</summary>
    public IReadOnlyList<Busy> Busy { get; init; } = [];
}

/// <summary>A limit the operator's resource sets, and the field it comes from (for the reason).</summary>
public sealed record OperatorLimit(int Brokers, string Field);

/// <summary>
/// One reason a cluster is busy: a reason code (<see cref="ReasonCodes"/>) and a sentence. <paramref name="OwnedBy"/>:
/// the command whose own multi-step action this is (a Strimzi drain); it is not busy for that command.
/// </summary>
public sealed record Busy(string Code, string Reason, string? OwnedBy = null);

/// <summary>
/// What an adapter made of a command on a reading: a change (adapters derive from it to carry the change), nothing to do
/// because it is already there, a wait (a step of the command's own multi-step action is still running), or a refusal
/// with its reason code.
/// </summary>
public record ClusterPlan(string Summary, string? RefusalCode = null, bool AlreadyApplied = false)
{
    /// <summary>Ignored: the reason code when there is nothing to do (default <see cref="ReasonCodes.AlreadyApplied"/>).</summary>
    public string IgnoreCode { get; init; } = ReasonCodes.AlreadyApplied;

    /// <summary>Deferred: the command's own step runs (a Strimzi drain); it comes back after the deferral delay.</summary>
    public string? WaitCode { get; init; }

    /// <summary>
    /// The change is the first step of a multi-step action (a Strimzi drain): written under the guards like any change,
    /// recorded as a deferral with this code, and the command continues; the guard state is written by its last step.
    /// </summary>
    public string? PrepareCode { get; init; }

    public bool IsChange => RefusalCode is null && !AlreadyApplied && WaitCode is null;

    public static ClusterPlan Refuse(string code, string reason) => new(reason, RefusalCode: code);

    public static ClusterPlan NothingToDo(string reason, string code = ReasonCodes.AlreadyApplied) => new(reason, AlreadyApplied: true) { IgnoreCode = code };

    public static ClusterPlan Wait(string code, string reason) => new(reason) { WaitCode = code };
}
