using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// A Koperator <c>kafka.banzaicloud.io/v1beta1</c> KafkaCluster as read from the API server, kept as JSON so that a
/// write sends back every field exactly as read (a typed model would drop what it does not know). Accessors read the
/// parts the executor decides on; changes are made on a <see cref="Copy"/>.
/// </summary>
public sealed class KafkaClusterResource(JsonObject json)
{
    public const string Group = "kafka.banzaicloud.io";
    public const string Version = "v1beta1";
    public const string Plural = "kafkaclusters";
    public const string RunningState = "ClusterRunning";

    public JsonObject Json { get; } = json;

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

    public KafkaClusterResource Copy() => new(Json.DeepClone().AsObject());

    public void SetAnnotation(string name, string value)
    {
        var metadata = Json["metadata"] as JsonObject ?? new JsonObject();
        Json["metadata"] = metadata;
        var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        metadata["annotations"] = annotations;
        annotations[name] = value;
    }

    public static int? Int(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.Deserialize<double>() is var number
            && number == Math.Floor(number) && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : null;

    private static int? Positive(JsonNode? node) => Int(node) is > 0 and var limit ? limit : null;
}

/// <summary>One broker's entry in <c>status.brokersState</c>: its Cruise Control state and its volumes' (state, mount path).</summary>
public sealed record BrokerActionState(string BrokerId, string? CruiseControlState, IReadOnlyList<(string State, string MountPath)> VolumeStates);
