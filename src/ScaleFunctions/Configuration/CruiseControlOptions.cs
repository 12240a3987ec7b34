namespace ScaleFunctions.Configuration;

/// <summary>
/// How to reach one cluster's Cruise Control and how to ask it for a rebalance. Global defaults come from the
/// <c>CruiseControl</c> section; each cluster's <c>Clusters__N__CruiseControl</c> section overrides them key by key
/// (see <see cref="CruiseControlSettingsLayering"/>). Cruise Control is configured for a cluster when it has either a
/// <see cref="Url"/> or a <see cref="Service"/>; without both, the rebalance check leaves the cluster alone.
/// </summary>
public sealed class CruiseControlOptions
{
    public const string SectionName = "CruiseControl";

    /// <summary>Base address of the REST API, prefix included, e.g. <c>http://kafka-cruisecontrol-svc.kafka:8090/kafkacruisecontrol</c>.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Name of the Cruise Control Service in the cluster's namespace (Koperator: <c>&lt;cluster&gt;-cruisecontrol-svc</c>),
    /// reached through the Kubernetes API server's service proxy with the app's Kubernetes credentials.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>Service port for <see cref="Service"/> (Koperator: 8090).</summary>
    public int Port { get; set; } = 8090;

    /// <summary>Path of the REST API behind the service (Cruise Control's <c>webserver.api.urlprefix</c>).</summary>
    public string ApiPath { get; set; } = "kafkacruisecontrol";

    /// <summary>Optional HTTP basic authentication (only with <see cref="Url"/>: the API server's proxy drops <c>Authorization</c>).</summary>
    public string? BasicUsername { get; set; }

    /// <summary>Password for <see cref="BasicUsername"/>. Never logged.</summary>
    public string? BasicPassword { get; set; }

    /// <summary>How a rebalance is started. Null: <see cref="RebalanceExecution.Operator"/> for Koperator clusters, else direct.</summary>
    public RebalanceExecution? ExecuteVia { get; set; }

    /// <summary>
    /// Cruise Control's capacity opinion before an upScale or downScale: <see cref="CapacityOpinionMode.Enforce"/> (default)
    /// refuses a downScale while Cruise Control says the cluster is under-provisioned.
    /// </summary>
    public CapacityOpinionMode CapacityOpinion { get; set; } = CapacityOpinionMode.Enforce;

    /// <summary>Comma-separated goals for proposals and rebalances (Cruise Control's defaults when empty). Direct only: refused at start with the operator path.</summary>
    public string? Goals { get; set; }

    /// <summary>Upper bound, in bytes per second, on the bandwidth used to move replicas (<c>replication_throttle</c>). Direct only.</summary>
    public long? ReplicationThrottle { get; set; }

    /// <summary><c>concurrent_partition_movements_per_broker</c> for a direct rebalance.</summary>
    public int? ConcurrentPartitionMovementsPerBroker { get; set; }

    /// <summary><c>concurrent_leader_movements</c> for a direct rebalance.</summary>
    public int? ConcurrentLeaderMovements { get; set; }

    /// <summary>Wait between two polls of an asynchronous request (202 + <c>User-Task-ID</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many requests per asynchronous call before giving up waiting (the task goes on in Cruise Control).</summary>
    public int MaxPolls { get; set; } = 24;

    /// <summary>Timeout of one HTTP attempt. Global only (the <c>CruiseControl</c> section).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a retryable request after a transient failure. Global only.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Base delay of the exponential retry back-off. Global only.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(Service);

    public bool UsesServiceProxy => string.IsNullOrWhiteSpace(Url) && !string.IsNullOrWhiteSpace(Service);

    public bool HasBasicAuth => !string.IsNullOrEmpty(BasicUsername);

    /// <summary>The way a rebalance is started for a cluster of this kind: <see cref="ExecuteVia"/>, else operator for Koperator.</summary>
    public RebalanceExecution ExecutionFor(ClusterKind kind) =>
        ExecuteVia ?? (kind == ClusterKind.KafkaCluster ? RebalanceExecution.Operator : RebalanceExecution.Direct);

    public IReadOnlyList<string> GoalList =>
        (Goals ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
