using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ScaleFunctions.Kubernetes;

/// <summary>A custom resource type: where its objects live, <c>/apis/{Group}/{Version}/namespaces/{ns}/{Plural}</c>.</summary>
public sealed record CustomResourceType(string Group, string Version, string Plural, string Kind);

/// <summary>
/// The app's access to custom resources (the operators' clusters, pools and rebalances), as JSON: a typed model would
/// drop fields it does not know. Writes are PATCHes of a <see cref="ResourcePatch"/>, with <c>fieldValidation=Strict</c>
/// so that a field the API server does not know is refused, not silently dropped.
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

/// <summary>
/// A planned change to one custom resource as the one JSON Patch (RFC 6902) that is sent, logged and planned. Its first
/// operation, a <c>replace</c> of <c>/metadata/resourceVersion</c>, is the precondition: a stale version answers 409,
/// where a failed <c>test</c> op would answer 422 like a rejected patch. docs/executor.md#the-write.
/// </summary>
public sealed class ResourcePatch(string? resourceVersion)
{
    public const string ResourceVersionPath = "/metadata/resourceVersion";

    private readonly List<JsonObject> changes = [];

    /// <summary>The recorded add of <c>metadata.annotations</c> when this patch created the map: later annotations go into it.</summary>
    private JsonObject? annotationsAdded;

    /// <summary>The version read, which the patch requires the object still to have.</summary>
    public string? ResourceVersion { get; } = resourceVersion;

    /// <summary>No change recorded: the patch would only restate the precondition.</summary>
    public bool IsEmpty => changes.Count == 0;

    /// <summary>The operations as sent: the precondition, then the changes in the order they were made.</summary>
    public JsonArray ToJson()
    {
        var version = ResourceVersion ?? throw new InvalidOperationException("The resource was read without metadata.resourceVersion; a change to it cannot be preconditioned.");
        return new JsonArray([Operation("replace", ResourceVersionPath, JsonValue.Create(version)), .. changes.Select(c => c.DeepClone())]);
    }

    /// <summary>The request body, <c>application/json-patch+json</c>; KubernetesClient sends the string as it is.</summary>
    public static V1Patch ToV1Patch(JsonArray patch) => new(patch.ToJsonString(), V1Patch.PatchType.JsonPatch);

    /// <summary>The resourceVersion a patch made by <see cref="ToJson"/> requires (its first operation).</summary>
    public static string? ResourceVersionOf(JsonArray patch) =>
        patch is [JsonObject { } first, ..] && (string?)first["path"] == ResourceVersionPath ? (string?)first["value"] : null;

    /// <summary>A JSON Pointer (RFC 6901) from unescaped reference tokens: <c>~</c> and <c>/</c> in a token are escaped.</summary>
    public static string Pointer(params string[] tokens) =>
        string.Concat(tokens.Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    /// <summary>
    /// Sets one annotation on <paramref name="resource"/> and records it: an add or a replace of that key (an unchanged
    /// value is no change), or, when the resource had no annotations, one add of the whole map.
    /// </summary>
    public void SetAnnotation(JsonObject resource, string name, string value)
    {
        var metadata = resource["metadata"] as JsonObject ?? throw new InvalidDataException("The resource has no metadata.");
        if (metadata["annotations"] is not JsonObject annotations)
        {
            metadata["annotations"] = new JsonObject();
            annotationsAdded = Add(Pointer("metadata", "annotations"), new JsonObject());
            annotations = metadata["annotations"]!.AsObject();
        }

        var existed = annotations.TryGetPropertyValue(name, out var old);
        if (existed && string.Equals((string?)old, value, StringComparison.Ordinal))
        {
            return;
        }

        annotations[name] = value;
        if (annotationsAdded is not null)
        {
            annotationsAdded["value"]![name] = value;
        }
        else if (existed)
        {
            Replace(Pointer("metadata", "annotations", name), annotations[name]);
        }
        else
        {
            Add(Pointer("metadata", "annotations", name), annotations[name]);
        }
    }

    /// <summary>Removes one annotation from <paramref name="resource"/> when it is there, and records the remove.</summary>
    public void RemoveAnnotation(JsonObject resource, string name)
    {
        if (resource["metadata"]?["annotations"] is JsonObject annotations && annotations.Remove(name))
        {
            if (annotationsAdded?["value"] is JsonObject added)
            {
                added.Remove(name);
            }
            else
            {
                Remove(Pointer("metadata", "annotations", name));
            }
        }
    }

    /// <summary>Records an add; returns the operation, which a caller may still complete (a map it goes on filling).</summary>
    public JsonObject Add(string path, JsonNode? value)
    {
        var operation = Operation("add", path, value?.DeepClone());
        changes.Add(operation);
        return operation;
    }

    public void Replace(string path, JsonNode? value) => changes.Add(Operation("replace", path, value?.DeepClone()));

    public void Remove(string path) => changes.Add(new JsonObject { ["op"] = "remove", ["path"] = path });

    private static JsonObject Operation(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };
}
