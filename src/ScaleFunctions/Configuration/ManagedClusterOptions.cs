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

    public string Id => $"{Namespace}/{Name}";
}
