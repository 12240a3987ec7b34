using System.Globalization;
using System.Text.Json.Nodes;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// A Koperator <c>kafka.banzaicloud.io/v1beta1</c> KafkaCluster as read from the API server, kept as JSON so that a
/// write sends back every field exactly as read (a typed model would drop what it does not know). Accessors read the
/// parts the executor decides on; changes are made on a <see cref="Copy"/> through its methods, which record each one in
/// <see cref="Changes"/>, the patch that is sent.
/// </summary>
public sealed class KafkaClusterResource(JsonObject json)
{
    public const string Group = "kafka.banzaicloud.io";
    public const string Version = "v1beta1";
    public const string Plural = "kafkaclusters";
    public const string RunningState = "ClusterRunning";

    public JsonObject Json { get; } = json;

    /// <summary>The changes made through this object's methods since it was read or copied, as the patch to send.</summary>
    public ResourcePatch Changes { get; } = new((string?)json["metadata"]?["resourceVersion"]);

    public string Name => (string?)Json["metadata"]?["name"] ?? "";

    public string? ResourceVersion => (string?)Json["metadata"]?["resourceVersion"];

    public string? State => (string?)Json["status"]?["state"];

    public JsonObject Spec => Json["spec"] as JsonObject ?? throw new InvalidDataException("The KafkaCluster has no spec.");

    public JsonArray Brokers => Spec["brokers"] as JsonArray ?? throw new InvalidDataException("The KafkaCluster has no spec.brokers.");

    public IReadOnlyList<int> BrokerIds => Brokers.Select(b => Int(b?["id"]) ?? -1).ToList();

    /// <summary>Broker ids the operator still tracks in <c>status.brokersState</c> (including brokers being drained).</summary>
    public IReadOnlyList<int> StatusBrokerIds =>
        (Json["status"]?["brokersState"] as JsonObject)?
            .Select(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0).ToList() ?? [];

    public bool HasBrokerConfigGroup(string name) => Spec["brokerConfigGroups"] is JsonObject groups && groups.ContainsKey(name);

    public JsonObject? BrokerConfigGroup(string name) => Spec["brokerConfigGroups"]?[name] as JsonObject;

    public JsonObject? Broker(int id) => Brokers.OfType<JsonObject>().FirstOrDefault(b => Int(b["id"]) == id);

    /// <summary><c>spec.alertManagerConfig.upScaleLimit</c> when set and positive (Koperator ignores ≤ 0).</summary>
    public int? UpScaleLimit => Positive(Json["spec"]?["alertManagerConfig"]?["upScaleLimit"]);

    /// <summary><c>spec.alertManagerConfig.downScaleLimit</c> when set and positive.</summary>
    public int? DownScaleLimit => Positive(Json["spec"]?["alertManagerConfig"]?["downScaleLimit"]);

    /// <summary>Every broker's graceful-action state: <c>cruiseControlState</c> and the volume states by mount path.</summary>
    public IReadOnlyList<BrokerActionState> BrokerStates =>
        (Json["status"]?["brokersState"] as JsonObject)?
            .Select(p => new BrokerActionState(
                p.Key,
                (string?)p.Value?["gracefulActionState"]?["cruiseControlState"],
                (p.Value?["gracefulActionState"]?["volumeStates"] as JsonObject)?
                    .Select(v => ((string?)v.Value?["cruiseControlVolumeState"] ?? "", v.Key)).ToList() ?? []))
            .ToList() ?? [];

    public string? Annotation(string name) => (string?)Json["metadata"]?["annotations"]?[name];

    /// <summary>A copy to plan a change on, with no changes recorded yet.</summary>
    public KafkaClusterResource Copy() => new(Json.DeepClone().AsObject());

    /// <summary>Sets one annotation (recorded as <see cref="ResourcePatch.SetAnnotation"/> describes).</summary>
    public void SetAnnotation(string name, string value) => Changes.SetAnnotation(Json, name, value);

    /// <summary>Appends a broker to <c>spec.brokers</c> (recorded as an add at the end of the list).</summary>
    public void AddBroker(JsonObject broker)
    {
        Brokers.Add(broker);
        Changes.Add("/spec/brokers/-", broker);
    }

    /// <summary>Removes broker <paramref name="id"/> from <c>spec.brokers</c> (recorded as a remove at its position).</summary>
    public void RemoveBroker(int id)
    {
        var index = IndexOf(id);
        Brokers.RemoveAt(index);
        Changes.Remove($"/spec/brokers/{index.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Writes <paramref name="storage"/> as broker <paramref name="id"/>'s own <c>brokerConfig.storageConfigs</c> (other
    /// brokerConfig fields stay): recorded as that one list, so nothing else of the broker reaches the patch.
    /// </summary>
    public void SetBrokerStorage(int id, IReadOnlyList<JsonObject> storage)
    {
        var index = IndexOf(id).ToString(CultureInfo.InvariantCulture);
        var broker = Broker(id)!;
        var list = new JsonArray(storage.Select(s => (JsonNode)s.DeepClone()).ToArray());
        if (broker["brokerConfig"] is JsonObject config)
        {
            var existed = config.ContainsKey("storageConfigs");
            config["storageConfigs"] = list;
            if (existed)
            {
                Changes.Replace($"/spec/brokers/{index}/brokerConfig/storageConfigs", list);
            }
            else
            {
                Changes.Add($"/spec/brokers/{index}/brokerConfig/storageConfigs", list);
            }
        }
        else
        {
            broker["brokerConfig"] = new JsonObject { ["storageConfigs"] = list };
            Changes.Add($"/spec/brokers/{index}/brokerConfig", broker["brokerConfig"]);
        }
    }

    public static int? Int(JsonNode? node) => ResourceFields.Int(node);

    private int IndexOf(int id)
    {
        for (var i = 0; i < Brokers.Count; i++)
        {
            if (Brokers[i] is JsonObject broker && Int(broker["id"]) == id)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"Broker {id} is not in spec.brokers.");
    }

    private static int? Positive(JsonNode? node) => Int(node) is > 0 and var limit ? limit : null;
}

/// <summary>One broker's entry in <c>status.brokersState</c>: its Cruise Control state and its volumes' (state, mount path).</summary>
public sealed record BrokerActionState(string BrokerId, string? CruiseControlState, IReadOnlyList<(string State, string MountPath)> VolumeStates);
