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
}
