namespace ScaleFunctions.Rebalance.Strimzi;

/// <summary>
/// Reason codes of the rebalance check's decisions for Strimzi clusters (the decision's <c>ReasonCode</c>; 403s use
/// the executor's <c>Forbidden</c>, dry runs its <c>DryRun</c>). docs/rebalance.md#strimzi says what each means.
/// </summary>
public static class StrimziRebalanceReasons
{
    // Acted
    public const string RebalanceApproved = "RebalanceApproved";
    public const string RebalanceCompleted = "RebalanceCompleted";

    // Ignored
    public const string CruiseControlNotDeployed = "CruiseControlNotDeployed";
    public const string NotWorthIt = "NotWorthIt";
    public const string ResultAlreadyReported = "ResultAlreadyReported";

    // Deferred
    public const string CheckRunning = "CheckRunning";
    public const string KafkaNotReady = "KafkaNotReady";
    public const string OtherRebalanceRunning = "OtherRebalanceRunning";
    public const string AutoRebalanceRunning = "AutoRebalanceRunning";
    public const string ClusterNotResting = "ClusterNotResting";
    public const string ProposalRequested = "ProposalRequested";
    public const string ProposalPending = "ProposalPending";
    public const string ProposalRefreshed = "ProposalRefreshed";
    public const string ApprovalPending = "ApprovalPending";
    public const string RebalanceRunning = "RebalanceRunning";
    public const string ReconciliationPaused = "ReconciliationPaused";
    public const string Conflict = "Conflict";

    // Refused
    public const string RebalanceFailed = "RebalanceFailed";
    public const string RebalanceStopped = "RebalanceStopped";
    public const string NameTaken = "NameTaken";
    public const string ClusterNotFound = "ClusterNotFound";
    public const string CheckFailed = "CheckFailed";
}
