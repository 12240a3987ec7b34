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
