using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace ScaleFunctions.Kubernetes;

/// <summary>A custom resource type: where its objects live, <c>/apis/{Group}/{Version}/namespaces/{ns}/{Plural}</c>.</summary>
public sealed record CustomResourceType(string Group, string Version, string Plural, string Kind);

/// <summary>
/// Reads and writes custom objects as JSON (a typed model would drop fields it does not know, and a write must send
/// back every field as read). A write is a PATCH with a <see cref="ResourcePatch"/> that carries the
/// <c>metadata.resourceVersion</c> it was planned on: the API server answers 409 Conflict when anyone wrote in between.
/// <c>fieldValidation=Strict</c> makes the API server reject a field it does not know instead of silently dropping it.
/// </summary>
public sealed class CustomObjectClient(IKubernetes kubernetes)
{
    public async Task<JsonObject> GetAsync(CustomResourceType type, string @namespace, string name, CancellationToken cancellationToken) =>
        ToJson(await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync(type.Group, type.Version, @namespace, type.Plural, name, cancellationToken));

    /// <summary>The objects of <paramref name="type"/> in <paramref name="namespace"/> that match <paramref name="labelSelector"/>.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(CustomResourceType type, string @namespace, string? labelSelector, CancellationToken cancellationToken)
    {
        var list = ToJson(await kubernetes.CustomObjects.ListNamespacedCustomObjectAsync(
            type.Group, type.Version, @namespace, type.Plural, labelSelector: labelSelector, cancellationToken: cancellationToken));
        return (list["items"] as JsonArray)?.OfType<JsonObject>().Select(i => i.DeepClone().AsObject()).ToList() ?? [];
    }

    /// <summary>Creates <paramref name="body"/>; the API server's 409 AlreadyExists is thrown as it comes.</summary>
    public async Task<JsonObject> CreateAsync(CustomResourceType type, string @namespace, JsonObject body, CancellationToken cancellationToken) =>
        ToJson(await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync(
            body, type.Group, type.Version, @namespace, type.Plural, fieldValidation: "Strict", cancellationToken: cancellationToken));

    public async Task DeleteAsync(CustomResourceType type, string @namespace, string name, CancellationToken cancellationToken) =>
        await kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group, type.Version, @namespace, type.Plural, name, cancellationToken: cancellationToken);

    /// <summary>
    /// Sends <paramref name="patch"/>. A 422 is ambiguous for a JSON Patch — the server applies it to the object as it is
    /// now before comparing resourceVersions, so a path that a concurrent writer removed answers 422, not 409 — hence
    /// the object is read again: when its resourceVersion moved, the write lost a race
    /// (<see cref="KubernetesConflictException"/>); otherwise the 422 stands.
    /// </summary>
    public async Task<JsonObject> PatchAsync(CustomResourceType type, string @namespace, string name, JsonArray patch, CancellationToken cancellationToken)
    {
        var version = ResourcePatch.ResourceVersionOf(patch);
        try
        {
            return ToJson(await kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(
                ResourcePatch.ToV1Patch(patch), type.Group, type.Version, @namespace, type.Plural, name,
                fieldValidation: "Strict", cancellationToken: cancellationToken));
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.UnprocessableEntity && version is not null)
        {
            var current = (string?)(await GetAsync(type, @namespace, name, cancellationToken))["metadata"]?["resourceVersion"];
            if (!string.Equals(current, version, StringComparison.Ordinal))
            {
                throw new KubernetesConflictException(
                    $"{type.Kind} {@namespace}/{name} changed (resourceVersion {version} → {current}) before the patch could be applied: {ex.ApiMessage()}", ex);
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
