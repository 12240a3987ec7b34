using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// Reads and writes KafkaCluster resources. A write is a PATCH with the planned change as a JSON Patch
/// (<see cref="KafkaClusterPatch"/>) that carries the <c>metadata.resourceVersion</c> it was planned on: the API server
/// answers 409 Conflict when anyone wrote in between. <c>fieldValidation=Strict</c> makes the API server reject a
/// field it does not know instead of silently dropping it.
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

    /// <summary>
    /// Sends <paramref name="patch"/>. A 422 is ambiguous for a JSON Patch — the server applies it to the object as it is
    /// now before comparing resourceVersions, so a path that a concurrent writer removed answers 422, not 409 — hence
    /// the object is read again: when its resourceVersion moved, the write lost a race
    /// (<see cref="KubernetesConflictException"/>); otherwise the 422 stands.
    /// </summary>
    public async Task<KafkaClusterResource> PatchAsync(ManagedClusterOptions cluster, JsonArray patch, CancellationToken cancellationToken)
    {
        var version = KafkaClusterPatch.ResourceVersionOf(patch);
        try
        {
            var response = await kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(
                KafkaClusterPatch.ToV1Patch(patch), KafkaClusterResource.Group, KafkaClusterResource.Version, cluster.Namespace, KafkaClusterResource.Plural, cluster.Name,
                fieldValidation: "Strict", cancellationToken: cancellationToken);
            return new KafkaClusterResource(ToJson(response));
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var current = await GetAsync(cluster, cancellationToken);
            if (!string.Equals(current.ResourceVersion, version, StringComparison.Ordinal))
            {
                throw new KubernetesConflictException(
                    $"{cluster.Id} changed (resourceVersion {version} → {current.ResourceVersion}) before the patch could be applied: {ex.ApiMessage()}", ex);
            }

            throw;
        }
    }

    private static JsonObject ToJson(object response) => response switch
    {
        JsonElement element => JsonObject.Create(element) ?? throw new InvalidDataException("The API server answered with an empty object."),
        JsonObject node => node,
        _ => JsonSerializer.SerializeToNode(response)?.AsObject() ?? throw new InvalidDataException("The API server answered with an empty object."),
    };
}
