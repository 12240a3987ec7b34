using System.Text.Json.Nodes;
using k8s.Models;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// A planned change to one custom resource (a KafkaCluster, a KafkaNodePool) as the JSON Patch (RFC 6902) the executor
/// sends, logs and plans: one document. The first operation is the precondition, a <c>replace</c> of
/// <c>/metadata/resourceVersion</c> with the version the change was planned on — the API server answers 409 Conflict
/// when that version is stale (a failed <c>test</c> op would answer 422, like a patch it rejects). The others are the
/// changes as the planners make them on a copy of the resource, so they name only what changes; see
/// docs/executor.md#the-write.
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
