using System.Text.Json.Nodes;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>Reads and writes a managed cluster's KafkaCluster (see <see cref="CustomObjectClient"/> for the write's precondition).</summary>
public sealed class KafkaClusterClient(CustomObjectClient objects)
{
    public static readonly CustomResourceType Type = new(KafkaClusterResource.Group, KafkaClusterResource.Version, KafkaClusterResource.Plural, "KafkaCluster");

    public async Task<KafkaClusterResource> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        new(await objects.GetAsync(Type, cluster.Namespace, cluster.Name, cancellationToken));

    public async Task<KafkaClusterResource> PatchAsync(ManagedClusterOptions cluster, JsonArray patch, CancellationToken cancellationToken) =>
        new(await objects.PatchAsync(Type, cluster.Namespace, cluster.Name, patch, cancellationToken));
}
