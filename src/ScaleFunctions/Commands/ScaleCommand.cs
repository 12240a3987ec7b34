using ScaleFunctions.Configuration;

namespace ScaleFunctions.Commands;

/// <summary>
/// A scaling command, as it travels on the command queue (schema <c>scalefunctions.command/v1</c>, see docs/message-schema.md).
/// One command per (cluster, command, target) per webhook; <see cref="IdempotencyKey"/> lets the executor recognise a replay.
/// </summary>
public sealed record ScaleCommand
{
    public const string CurrentSchema = "scalefunctions.command/v1";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>Stable across Alertmanager resends, HA-peer duplicates and retries: derived from the alerts' keys.</summary>
    public required string IdempotencyKey { get; init; }

    public required ScaleCommandKind Command { get; init; }

    public required ClusterRef Cluster { get; init; }

    public ScaleTarget Target { get; init; } = ScaleTarget.Cluster;

    public ScaleParameters Parameters { get; init; } = new();

    /// <summary>
    /// The firing alerts that caused this command (at least one, at most <see cref="MaxAlerts"/>, sorted by key): the
    /// first <see cref="MaxAlerts"/> of them when more caused it, so that a command always fits in a queue message.
    /// </summary>
    public required IReadOnlyList<AlertRef> Alerts { get; init; }

    /// <summary>How many distinct alerts caused the command; more than <c>Alerts.Count</c> when the list was capped.</summary>
    public int AlertCount { get; init; }

    /// <summary>At most this many alerts are listed in a command (see docs/message-schema.md).</summary>
    public const int MaxAlerts = 32;

    /// <summary>When intake accepted the command; the start of alert-to-action latency.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>After this the command is dropped instead of executed or deferred again.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>How many times the executor has put this command back on the queue because the cluster was busy.</summary>
    public int Deferrals { get; init; }

    /// <summary>
    /// The executor wrote the first step of this command's multi-step action (a Strimzi drain) and put it back to
    /// continue: it is not cancelled when its alerts resolve (the step runs; the resource says how far). Omitted when false.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Continuation { get; init; }
}

/// <summary>
/// The alert instance behind a command: Alertmanager's fingerprint (a hash of the label set) and the time the alert
/// started firing. Together they name one firing episode of one alert, stable across resends and HA peers.
/// </summary>
public sealed record AlertRef(string Fingerprint, string AlertName, DateTimeOffset StartsAt)
{
    /// <summary>The key of this firing episode: <c>fingerprint@startsAt</c> (UTC, round-trip format).</summary>
    // "O" of a UTC DateTime is yyyy-MM-ddTHH:mm:ss.fffffffZ, the same text, on the runtime's fast path (a custom format
    // string is parsed on every call, and intake computes a key several times per alert).
    public string Key => $"{Fingerprint}@{StartsAt.UtcDateTime:O}";
}

/// <summary>
/// What inside the cluster a command is about: the broker a downScale removes (label <c>brokerId</c>) or the volume
/// addPvc/resizePvc acts on (label <c>persistentvolumeclaim</c>), and for a Strimzi cluster the node pool (annotation
/// <c>brokerConfigGroup</c>; two pools' alerts are two commands). All null means "the cluster as a whole".
/// </summary>
public sealed record ScaleTarget(int? BrokerId = null, string? PersistentVolumeClaim = null, string? NodePool = null)
{
    public static ScaleTarget Cluster { get; } = new();

    public override string ToString() =>
        (BrokerId is { } id ? $"broker {id}" : PersistentVolumeClaim is { } pvc ? $"pvc {pvc}" : NodePool is null ? "cluster" : "")
        + (NodePool is { } pool ? (BrokerId is null && PersistentVolumeClaim is null ? $"node pool {pool}" : $" of node pool {pool}") : "");
}

/// <summary>
/// Validated parameters from the alert's annotations. Each is null when the alert did not set it.
/// Sizes are Kubernetes quantities in canonical form (for example <c>10Gi</c>, <c>2G</c>).
/// </summary>
public sealed record ScaleParameters
{
    public string? BrokerConfigGroup { get; init; }
    public string? StorageClass { get; init; }
    public string? MountPath { get; init; }
    public string? DiskSize { get; init; }
    public string? Image { get; init; }
    public IReadOnlyDictionary<string, string>? BrokerAnnotations { get; init; }
    public string? IncrementBy { get; init; }
}
