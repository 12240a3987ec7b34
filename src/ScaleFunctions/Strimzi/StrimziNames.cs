namespace ScaleFunctions.Strimzi;

/// <summary>
/// Strimzi's API names the app uses, in one place: the <c>kafka.strimzi.io/v1</c> resources, the annotations and labels
/// Strimzi reads, and the states it writes (reference: Strimzi's CRDs and docs, docs/strimzi.md).
/// </summary>
public static class StrimziNames
{
    public const string Group = "kafka.strimzi.io";
    public const string Version = "v1";
    public const string Kafkas = "kafkas";
    public const string KafkaNodePools = "kafkanodepools";
    public const string KafkaRebalances = "kafkarebalances";

    /// <summary>The label on a KafkaNodePool or KafkaRebalance naming its Kafka.</summary>
    public const string ClusterLabel = "strimzi.io/cluster";

    /// <summary>Node ids Strimzi gives new brokers of a pool (<c>[0, 1, 10-20]</c>), lowest free first.</summary>
    public const string NextNodeIdsAnnotation = "strimzi.io/next-node-ids";

    /// <summary>Node ids Strimzi removes when a pool's replicas go down: the first in list order that the pool runs.</summary>
    public const string RemoveNodeIdsAnnotation = "strimzi.io/remove-node-ids";

    /// <summary>On a KafkaRebalance: <c>approve</c>, <c>refresh</c>, <c>stop</c>.</summary>
    public const string RebalanceAnnotation = "strimzi.io/rebalance";

    /// <summary>On a KafkaRebalance: approve the proposal as soon as it is ready.</summary>
    public const string AutoApprovalAnnotation = "strimzi.io/rebalance-auto-approval";

    /// <summary>On a KafkaRebalance: a template for auto-rebalancing, not a request.</summary>
    public const string TemplateAnnotation = "strimzi.io/rebalance-template";

    public const string BrokerRole = "broker";
    public const string ControllerRole = "controller";

    /// <summary>KafkaRebalance states (the type of its state condition, status True).</summary>
    public static class RebalanceStates
    {
        public const string New = "New";
        public const string PendingProposal = "PendingProposal";
        public const string ProposalReady = "ProposalReady";
        public const string Rebalancing = "Rebalancing";
        public const string Ready = "Ready";
        public const string NotReady = "NotReady";
        public const string Stopped = "Stopped";
        public const string ReconciliationPaused = "ReconciliationPaused";

        public static readonly IReadOnlyList<string> All = [New, PendingProposal, ProposalReady, Rebalancing, Ready, NotReady, Stopped, ReconciliationPaused];

        /// <summary>The states in which a rebalance is asked for or runs: no other rebalance, no scaling meanwhile.</summary>
        public static readonly IReadOnlyList<string> Active = [New, PendingProposal, ProposalReady, Rebalancing];
    }

    /// <summary><c>spec.mode</c> of a KafkaRebalance and of <c>Kafka.spec.cruiseControl.autoRebalance[]</c>.</summary>
    public static class RebalanceModes
    {
        public const string Full = "full";
        public const string AddBrokers = "add-brokers";
        public const string RemoveBrokers = "remove-brokers";
    }

    /// <summary><c>Kafka.status.autoRebalance.state</c> when no auto-rebalance runs.</summary>
    public const string AutoRebalanceIdle = "Idle";
}
