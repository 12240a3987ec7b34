using System.ComponentModel.DataAnnotations;

namespace ScaleFunctions.Configuration;

/// <summary>
/// One Kafka cluster the app is allowed to act on. Alerts for any other cluster are ignored.
/// Bound from the <c>Clusters</c> configuration array (<c>Clusters__0__Namespace</c>, …).
/// </summary>
public sealed class ManagedClusterOptions
{
    [Required, RegularExpression(KubernetesNames.DnsLabel, ErrorMessage = "Namespace must be a DNS-1123 label.")]
    public string Namespace { get; set; } = "";

    [Required, RegularExpression(KubernetesNames.DnsSubdomain, ErrorMessage = "Name must be a DNS-1123 subdomain.")]
    public string Name { get; set; } = "";

    public ClusterKind Kind { get; set; } = ClusterKind.KafkaCluster;

    /// <summary>
    /// Kind KafkaNodePool: the broker node pools of the Kafka resource <see cref="Name"/> that the app may scale; the
    /// first is the default for commands whose alert names no pool (annotation <c>brokerConfigGroup</c>). Empty for a
    /// KafkaCluster.
    /// </summary>
    public List<NodePoolOptions> NodePools { get; } = [];

    /// <summary>Never scale below this many brokers (for Strimzi: across the managed pools).</summary>
    [Range(1, 1000)]
    public int MinBrokers { get; set; } = 3;

    /// <summary>Never scale above this many brokers.</summary>
    [Range(1, 1000)]
    public int MaxBrokers { get; set; } = 12;

    /// <summary>This cluster's Cruise Control: the global <c>CruiseControl</c> section with <c>Clusters__N__CruiseControl__*</c> on top.</summary>
    public CruiseControlOptions CruiseControl { get; set; } = new();

    /// <summary>This cluster's identity, the one commands carry and every log names (as "namespace/name").</summary>
    public ClusterRef Ref => new(Namespace, Name, Kind);
}

/// <summary>
/// A managed cluster's identity: its resource's namespace and name (the kind says which resource). Commands carry it;
/// <see cref="ManagedClusters.Find(ClusterRef)"/> finds its settings.
/// </summary>
public sealed record ClusterRef(string Namespace, string Name, ClusterKind Kind)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>The kind of resource that describes a managed Kafka cluster's brokers.</summary>
public enum ClusterKind
{
    /// <summary>Koperator (Banzai Cloud / Adobe) <c>kafka.banzaicloud.io/v1beta1</c> KafkaCluster.</summary>
    KafkaCluster,

    /// <summary>Strimzi <c>kafka.strimzi.io/v1</c> Kafka with broker KafkaNodePools (docs/strimzi.md).</summary>
    KafkaNodePool,
}

/// <summary>
/// A Strimzi broker node pool the app may scale (<c>Clusters__N__NodePools__M__Name</c>, …), with its own broker
/// limits on top of the cluster's. Only pools listed here are ever changed; a controller-only pool is refused.
/// </summary>
public sealed class NodePoolOptions
{
    [Required, RegularExpression(KubernetesNames.DnsSubdomain, ErrorMessage = "NodePools: Name must be a DNS-1123 subdomain.")]
    public string Name { get; set; } = "";

    /// <summary>Never scale this pool below this many brokers.</summary>
    [Range(0, 1000)]
    public int MinBrokers { get; set; } = 1;

    /// <summary>Never scale this pool above this many brokers.</summary>
    [Range(1, 1000)]
    public int MaxBrokers { get; set; } = 1000;
}
