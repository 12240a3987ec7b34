using System.ComponentModel.DataAnnotations;

namespace ScaleFunctions.Configuration;

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
