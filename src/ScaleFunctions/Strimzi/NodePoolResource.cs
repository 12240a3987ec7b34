using System.Globalization;
using System.Text.Json.Nodes;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Strimzi;

/// <summary>
/// A Strimzi <c>KafkaNodePool</c> as read, kept as JSON so that a patch names only what changes. Accessors read what the
/// executor decides on; changes are made on a <see cref="Copy"/> through its methods, which record each one in
/// <see cref="Changes"/>, the patch that is sent.
/// </summary>
public sealed class NodePoolResource(JsonObject json)
{
    public JsonObject Json { get; } = json;

    /// <summary>The changes made through this object's methods since it was read or copied.</summary>
    public ResourcePatch Changes { get; } = new((string?)json["metadata"]?["resourceVersion"]);

    public string Name => (string?)Json["metadata"]?["name"] ?? "";

    /// <summary>The Kafka the pool belongs to (label <c>strimzi.io/cluster</c>).</summary>
    public string? Cluster => ResourceFields.Text(Json["metadata"]?["labels"]?[StrimziNames.ClusterLabel]);

    public int Replicas => ResourceFields.Int(Json["spec"]?["replicas"]) ?? 0;

    /// <summary><c>status.replicas</c>: the pods Strimzi runs for the pool; null before its first reconciliation.</summary>
    public int? StatusReplicas => ResourceFields.Int(Json["status"]?["replicas"]);

    public long Generation => ResourceFields.Int(Json["metadata"]?["generation"]) ?? 0;

    public long? ObservedGeneration => ResourceFields.Int(Json["status"]?["observedGeneration"]);

    public IReadOnlyList<string> Roles => ResourceFields.Strings(Json["spec"]?["roles"]);

    /// <summary>Broker-only: the app never scales a pool that holds KRaft controllers.</summary>
    public bool IsBrokerOnly => Roles.Contains(StrimziNames.BrokerRole) && !Roles.Contains(StrimziNames.ControllerRole);

    public bool IsBroker => Roles.Contains(StrimziNames.BrokerRole);

    /// <summary>The node ids Strimzi runs in the pool (<c>status.nodeIds</c>).</summary>
    public IReadOnlyList<int> NodeIds => ResourceFields.Ints(Json["status"]?["nodeIds"]);

    /// <summary>The pool is reconciled: its status says as many nodes as its spec asks, for the spec's generation.</summary>
    public bool IsSettled => StatusReplicas == Replicas && (ObservedGeneration ?? 0) >= Generation;

    public string? StorageType => ResourceFields.Text(Json["spec"]?["storage"]?["type"]);

    /// <summary>JBOD volumes (<c>spec.storage.volumes</c>), empty for other storage.</summary>
    public IReadOnlyList<JsonObject> Volumes => (Json["spec"]?["storage"]?["volumes"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];

    public string? Annotation(string name) => ResourceFields.Text(Json["metadata"]?["annotations"]?[name]);

    /// <summary>A copy to plan a change on, with no changes recorded yet.</summary>
    public NodePoolResource Copy() => new(Json.DeepClone().AsObject());

    /// <summary>Sets <c>spec.replicas</c> (recorded as a replace; Strimzi's own field, the same the scale subresource sets).</summary>
    public void SetReplicas(int replicas)
    {
        Json["spec"]!["replicas"] = replicas;
        Changes.Replace("/spec/replicas", JsonValue.Create(replicas));
    }

    public void SetAnnotation(string name, string value) => Changes.SetAnnotation(Json, name, value);

    public void RemoveAnnotation(string name) => Changes.RemoveAnnotation(Json, name);

    /// <summary>Appends a JBOD volume (recorded as an add at the end of <c>spec.storage.volumes</c>).</summary>
    public void AddVolume(JsonObject volume)
    {
        Json["spec"]!["storage"]!["volumes"]!.AsArray().Add(volume);
        Changes.Add("/spec/storage/volumes/-", volume);
    }

    /// <summary>Sets the size of the JBOD volume at <paramref name="index"/>, or of the pool's single volume when null.</summary>
    public void SetSize(int? index, string size)
    {
        if (index is { } i)
        {
            Json["spec"]!["storage"]!["volumes"]![i]!["size"] = size;
            Changes.Replace($"/spec/storage/volumes/{i.ToString(CultureInfo.InvariantCulture)}/size", JsonValue.Create(size));
        }
        else
        {
            Json["spec"]!["storage"]!["size"] = size;
            Changes.Replace("/spec/storage/size", JsonValue.Create(size));
        }
    }
}
