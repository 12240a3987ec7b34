using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Koperator;

/// <summary>
/// Reads and writes KafkaCluster resources. A write is a PUT of the whole object as read, carrying its
/// <c>metadata.resourceVersion</c>: the API server refuses it with 409 Conflict when anyone wrote in between.
/// <c>fieldValidation=Strict</c> makes the API server reject a field it does not know instead of silently dropping it.
/// </summary>
public sealed class KafkaClusterClient(IKubernetes kubernetes)
{
    public async Task<KafkaClusterResource> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var response = await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync(
            KafkaClusterResource.Group, KafkaClusterResource.Version, cluster.Namespace, KafkaClusterResource.Plural, cluster.Name,
            cancellationToken);
        return new KafkaClusterResource(ToJson(response));
    }

    public async Task<KafkaClusterResource> ReplaceAsync(ManagedClusterOptions cluster, KafkaClusterResource updated, CancellationToken cancellationToken)
    {
        var response = await kubernetes.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            updated.Json, KafkaClusterResource.Group, KafkaClusterResource.Version, cluster.Namespace, KafkaClusterResource.Plural, cluster.Name,
            fieldValidation: "Strict", cancellationToken: cancellationToken);
        return new KafkaClusterResource(ToJson(response));
    }

    private static JsonObject ToJson(object response) => response switch
    {
        JsonElement element => JsonObject.Create(element) ?? throw new InvalidDataException("The API server answered with an empty object."),
        JsonObject node => node,
        _ => JsonSerializer.SerializeToNode(response)?.AsObject() ?? throw new InvalidDataException("The API server answered with an empty object."),
    };
}
