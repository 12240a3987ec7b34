namespace ScaleFunctions.Execution;

/// <summary>
/// Why the executor did what it did: the code at the start of every executor decision's reason
/// (<c>Code: text</c>). docs/executor.md says what each means and what to do.
/// </summary>
public static class ReasonCodes
{
    // Acted
    public const string Applied = "Applied";
    public const string DryRun = "DryRun";

    // Ignored (no-op)
    public const string Replay = "Replay";
    public const string AlertAlreadyActedOn = "AlertAlreadyActedOn";
    public const string AlreadyApplied = "AlreadyApplied";
    public const string Cancelled = "Cancelled";
    public const string Expired = "Expired";
    public const string Superseded = "Superseded";

    // Deferred (busy; the command goes back on the queue)
    public const string ClusterNotRunning = "ClusterNotRunning";
    public const string GracefulActionPending = "GracefulActionPending";
    public const string ScaleUpCooldown = "ScaleUpCooldown";
    public const string ScaleDownCooldown = "ScaleDownCooldown";
    public const string FlapGuard = "FlapGuard";
    public const string SettleWindow = "SettleWindow";
    public const string RebalanceInProgress = "RebalanceInProgress";
    public const string CruiseControlUnavailable = "CruiseControlUnavailable";

    // Refused (permanent)
    public const string InvalidCommand = "InvalidCommand";
    public const string ClusterNotManaged = "ClusterNotManaged";
    public const string UnsupportedClusterKind = "UnsupportedClusterKind";
    public const string ClusterNotFound = "ClusterNotFound";
    public const string Forbidden = "Forbidden";
    public const string RejectedByApiServer = "RejectedByApiServer";
    public const string MaxBrokers = "MaxBrokers";
    public const string MinBrokers = "MinBrokers";
    public const string UpScaleLimit = "UpScaleLimit";
    public const string DownScaleLimit = "DownScaleLimit";
    public const string MissingParameter = "MissingParameter";
    public const string BrokerConfigGroupNotFound = "BrokerConfigGroupNotFound";
    public const string BrokerIdExhausted = "BrokerIdExhausted";
    public const string BrokerNotFound = "BrokerNotFound";
    public const string BrokerDraining = "BrokerDraining";
    public const string NoRemovableBroker = "NoRemovableBroker";
    public const string PvcOwnerUnknown = "PvcOwnerUnknown";
    public const string StorageNotFound = "StorageNotFound";
    public const string InvalidSize = "InvalidSize";
    public const string MaxDiskSize = "MaxDiskSize";
    public const string CruiseControlUnderProvisioned = "CruiseControlUnderProvisioned";
    public const string RetriesExhausted = "RetriesExhausted";

    // Strimzi (docs/strimzi.md): busy (deferred)
    public const string KafkaNotReady = "KafkaNotReady";
    public const string NodePoolScaling = "NodePoolScaling";
    public const string KafkaRebalanceActive = "KafkaRebalanceActive";
    public const string AutoRebalanceActive = "AutoRebalanceActive";
    public const string DrainPending = "DrainPending";

    // Strimzi: the drain before a downScale (deferred while it runs)
    public const string DrainStarted = "DrainStarted";
    public const string Draining = "Draining";

    // Strimzi: refused or ignored
    public const string NodePoolNotManaged = "NodePoolNotManaged";
    public const string NodePoolNotFound = "NodePoolNotFound";
    public const string ControllerNodePool = "ControllerNodePool";
    public const string NotPerBroker = "NotPerBroker";
    public const string StorageNotJbod = "StorageNotJbod";
    public const string DrainFailed = "DrainFailed";
    public const string DrainAbandoned = "DrainAbandoned";

    /// <summary>Busy codes that mean the operator is changing the brokers (scaling in progress).</summary>
    public static readonly IReadOnlySet<string> Scaling = new HashSet<string>(StringComparer.Ordinal) { ClusterNotRunning, KafkaNotReady, NodePoolScaling, DrainPending };

    /// <summary>Busy codes that mean a rebalance moves partitions (not scaling: the rebalance check sees to these itself).</summary>
    public static readonly IReadOnlySet<string> Rebalancing = new HashSet<string>(StringComparer.Ordinal) { RebalanceInProgress, KafkaRebalanceActive, AutoRebalanceActive };
}
