using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// The executor's view of a Koperator KafkaCluster: busy while <c>status.state</c> is not Running or a graceful action
/// is pending; limits from <c>spec.alertManagerConfig</c>; commands planned on a copy of the resource by the planners
/// (<see cref="UpScalePlanner"/>, <see cref="DownScalePlanner"/>, <see cref="StoragePlanner"/>).
/// </summary>
public sealed class KoperatorAdapter(KafkaClusterClient client, IOptions<ExecutorOptions> options) : IClusterAdapter
{
    public ClusterKind Kind => ClusterKind.KafkaCluster;

    public async Task<ClusterReading> ReadAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        Read(await client.GetAsync(cluster, cancellationToken));

    /// <summary>The facts in one reading of a KafkaCluster.</summary>
    public static KafkaClusterReading Read(KafkaClusterResource resource)
    {
        var busy = new List<Busy>();
        if (!string.Equals(resource.State, KafkaClusterResource.RunningState, StringComparison.Ordinal))
        {
            busy.Add(new Busy(ReasonCodes.ClusterNotRunning, $"status.state is {resource.State ?? "not set"}, not {KafkaClusterResource.RunningState}"));
        }

        if (GracefulActions.Describe(resource) is { } pending)
        {
            busy.Add(new Busy(ReasonCodes.GracefulActionPending, $"graceful actions pending or running: {pending}"));
        }

        return new KafkaClusterReading(resource)
        {
            Guard = GuardState.Read(resource.Annotation),
            BrokerCount = resource.Brokers.Count,
            State = resource.State,
            UpScaleLimit = resource.UpScaleLimit is { } up ? new OperatorLimit(up, "spec.alertManagerConfig.upScaleLimit") : null,
            DownScaleLimit = resource.DownScaleLimit is { } down ? new OperatorLimit(down, "spec.alertManagerConfig.downScaleLimit") : null,
            Busy = busy,
        };
    }

    public ClusterPlan Plan(ScaleCommand command, ClusterReading reading, IReadOnlyDictionary<int, int>? replicaCounts)
    {
        var updated = Resource(reading).Copy();
        var plan = command.Command switch
        {
            ScaleCommandKind.UpScale => UpScalePlanner.Plan(updated, command.Parameters, options.Value),
            ScaleCommandKind.DownScale => DownScalePlanner.Plan(updated, command.Target.BrokerId, replicaCounts),
            ScaleCommandKind.AddPvc => StoragePlanner.AddVolume(updated, command, options.Value),
            _ => StoragePlanner.GrowVolume(updated, command, options.Value),
        };
        return plan switch
        {
            { RefusalCode: { } code } => ClusterPlan.Refuse(code, plan.Summary),
            { AlreadyApplied: true } => ClusterPlan.NothingToDo(plan.Summary),
            _ => new KafkaClusterChange(plan.Summary, updated),
        };
    }

    /// <summary>The planners' recorded operations, then the guard annotations as set on the planned object.</summary>
    public JsonNode Patch(ClusterReading reading, ClusterPlan plan, GuardState? after)
    {
        var patch = ((KafkaClusterChange)plan).Updated.Changes.ToJson();
        foreach (var operation in Result(plan, after).Changes.ToJson().Skip(1)) // its own precondition is the same one
        {
            patch.Add(operation!.DeepClone());
        }

        return patch;
    }

    /// <summary>The KafkaCluster as the patch leaves it; its <see cref="KafkaClusterResource.Changes"/> hold the annotations only.</summary>
    internal static KafkaClusterResource Result(ClusterPlan plan, GuardState? after)
    {
        var annotated = ((KafkaClusterChange)plan).Updated.Copy(); // a fresh record of changes, on the object as planned
        foreach (var (name, value) in after?.ToAnnotations() ?? [])
        {
            annotated.SetAnnotation(name, value);
        }

        return annotated;
    }

    public async Task WriteAsync(ManagedClusterOptions cluster, JsonNode patch, CancellationToken cancellationToken) =>
        await client.PatchAsync(cluster, patch.AsArray(), cancellationToken);

    private static KafkaClusterResource Resource(ClusterReading reading) => ((KafkaClusterReading)reading).Resource;
}

/// <summary>A reading of a KafkaCluster, keeping the resource as read (JSON) to plan and patch on.</summary>
public sealed record KafkaClusterReading(KafkaClusterResource Resource) : ClusterReading;

/// <summary>A planned change: the KafkaCluster as it should be (without the guard annotations).</summary>
public sealed record KafkaClusterChange(string Summary, KafkaClusterResource Updated) : ClusterPlan(Summary);

/// <summary>Reads and writes a managed cluster's KafkaCluster (see <see cref="CustomObjectClient"/> for the write's precondition).</summary>
public sealed class KafkaClusterClient(CustomObjectClient objects)
{
    public static readonly CustomResourceType Type = new(KafkaClusterResource.Group, KafkaClusterResource.Version, KafkaClusterResource.Plural, "KafkaCluster");

    public async Task<KafkaClusterResource> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        new(await objects.GetAsync(Type, cluster.Namespace, cluster.Name, cancellationToken));

    public async Task<KafkaClusterResource> PatchAsync(ManagedClusterOptions cluster, JsonArray patch, CancellationToken cancellationToken) =>
        new(await objects.PatchAsync(Type, cluster.Namespace, cluster.Name, patch, cancellationToken));
}

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

/// <summary>
/// What a planner made of a command on a copy of the cluster: a change (the copy now holds it), nothing to do because
/// it is already there, or a refusal with its reason code.
/// </summary>
public sealed record BrokerPlan(string Summary, int? BrokerId = null, string? RefusalCode = null, bool AlreadyApplied = false)
{
    public bool IsChange => RefusalCode is null && !AlreadyApplied;

    public static BrokerPlan Change(int brokerId, string summary) => new(summary, brokerId);

    public static BrokerPlan Refuse(string code, string reason) => new(reason, RefusalCode: code);

    public static BrokerPlan NothingToDo(int brokerId, string reason) => new(reason, brokerId, AlreadyApplied: true);
}

/// <summary>
/// Koperator's graceful actions (Cruise Control tasks it runs for a broker or a volume): a state ending in
/// <c>Required</c>, <c>Scheduled</c> or <c>Running</c> is pending or running; <c>Succeeded</c>, <c>CompletedWithError</c>
/// and <c>Paused</c> are not.
/// </summary>
public static class GracefulActions
{
    public static bool IsPending(string? state) =>
        state is not null && (state.EndsWith("Required", StringComparison.Ordinal)
            || state.EndsWith("Scheduled", StringComparison.Ordinal)
            || state.EndsWith("Running", StringComparison.Ordinal));

    /// <summary>A broker being removed: its downscale is pending or running.</summary>
    public static bool IsDraining(string? state) =>
        IsPending(state) && state!.StartsWith("GracefulDownscale", StringComparison.Ordinal);

    /// <summary>"broker 3 GracefulUpscaleRunning, broker 1 volume /kafka-logs GracefulDiskRebalanceScheduled", or null when none.</summary>
    public static string? Describe(KafkaClusterResource cluster)
    {
        var pending = cluster.BrokerStates
            .SelectMany(b => (IsPending(b.CruiseControlState) ? [$"broker {b.BrokerId} {b.CruiseControlState}"] : Array.Empty<string>())
                .Concat(b.VolumeStates.Where(v => IsPending(v.State)).Select(v => $"broker {b.BrokerId} volume {v.MountPath} {v.State}")))
            .ToList();
        return pending.Count == 0 ? null : string.Join(", ", pending);
    }

    public static bool IsDraining(KafkaClusterResource cluster, int brokerId) =>
        cluster.BrokerStates.Any(b => b.BrokerId == brokerId.ToString(System.Globalization.CultureInfo.InvariantCulture) && IsDraining(b.CruiseControlState));
}
