using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Strimzi;

/// <summary>
/// Plans each command on a copy of one managed broker-only node pool (docs/strimzi.md): upScale and downScale change
/// <c>spec.replicas</c> by one, a downScale drains its broker first (Strimzi refuses to remove a broker that holds
/// replicas); addPvc and resizePvc change the pool's JBOD volumes, so they apply to every broker of the pool. Pure.
/// </summary>
public static partial class NodePoolPlanner
{
    public static ClusterPlan Plan(ScaleCommand command, StrimziCluster cluster, IReadOnlyDictionary<int, int>? replicaCounts, ExecutorOptions options)
    {
        var (pool, limits, refusal) = ChoosePool(command, cluster);
        if (refusal is not null)
        {
            return refusal;
        }

        return command.Command switch
        {
            ScaleCommandKind.UpScale => UpScale(command, cluster, pool!, limits!),
            ScaleCommandKind.DownScale => DownScale(command, cluster, pool!, limits!, replicaCounts, options),
            ScaleCommandKind.AddPvc => AddVolume(command, pool!, options),
            _ => GrowVolume(command, cluster, pool!, options),
        };
    }

    /// <summary>
    /// The pool: the one the alert's PVC belongs to, else the alert's <c>brokerConfigGroup</c> (Strimzi's node pool plays
    /// the part of Koperator's broker config group), else the managed pool holding the alert's <c>brokerId</c>, else
    /// the first managed pool. It must be managed, exist, and be broker-only.
    /// </summary>
    private static (NodePoolResource? Pool, NodePoolOptions? Limits, ClusterPlan? Refusal) ChoosePool(ScaleCommand command, StrimziCluster cluster)
    {
        var managed = cluster.Managed.NodePools;
        string name;
        if (command.Target.PersistentVolumeClaim is { } pvc)
        {
            if (Claim.Parse(pvc, cluster.Name) is not { } claim)
            {
                return (null, null, ClusterPlan.Refuse(ReasonCodes.PvcOwnerUnknown,
                    $"PVC {pvc} is not named like a Strimzi volume of Kafka {cluster.Name} (data[-<volume>]-{cluster.Name}-<pool>-<node>)"));
            }

            name = claim.Pool;
        }
        else if ((command.Target.NodePool ?? command.Parameters.BrokerConfigGroup) is { } group)
        {
            name = group;
        }
        else if (command.Target.BrokerId is { } broker
            && cluster.Pools.FirstOrDefault(p => p.NodeIds.Contains(broker)) is { } holder)
        {
            name = holder.Name;
        }
        else
        {
            name = managed[0].Name;
        }

        if (managed.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal)) is not { } limits)
        {
            return (null, null, ClusterPlan.Refuse(ReasonCodes.NodePoolNotManaged,
                $"node pool {name} is not one the app may scale (Clusters NodePools: {string.Join(", ", managed.Select(p => p.Name))})"));
        }

        if (cluster.Pool(name) is not { } pool)
        {
            return (null, null, ClusterPlan.Refuse(ReasonCodes.NodePoolNotFound, $"Kafka {cluster.Name} has no KafkaNodePool {name} (label {StrimziNames.ClusterLabel}={cluster.Name})"));
        }

        if (!pool.IsBrokerOnly)
        {
            return (null, null, ClusterPlan.Refuse(ReasonCodes.ControllerNodePool,
                $"node pool {name} has roles [{string.Join(", ", pool.Roles)}]; the app scales broker-only pools, never KRaft controllers"));
        }

        return (pool, limits, null);
    }

    private static ClusterPlan UpScale(ScaleCommand command, StrimziCluster cluster, NodePoolResource pool, NodePoolOptions limits)
    {
        var p = command.Parameters;
        var perBroker = new[] { ("image", p.Image), ("storageClass", p.StorageClass), ("mountPath", p.MountPath), ("diskSize", p.DiskSize) }
            .Where(x => x.Item2 is not null).Select(x => x.Item1)
            .Concat(p.BrokerAnnotations is { Count: > 0 } ? ["brokerAnnotations"] : [])
            .ToList();
        if (perBroker.Count > 0)
        {
            return ClusterPlan.Refuse(ReasonCodes.NotPerBroker,
                $"Strimzi takes no per-broker {string.Join(", ", perBroker)}: every broker of node pool {pool.Name} has the pool's configuration (change the KafkaNodePool, or name another pool in brokerConfigGroup)");
        }

        if (pool.Replicas + 1 > limits.MaxBrokers)
        {
            return ClusterPlan.Refuse(ReasonCodes.MaxBrokers, $"node pool {pool.Name} has {pool.Replicas} brokers; one more would exceed its MaxBrokers {limits.MaxBrokers}");
        }

        var updated = pool.Copy();
        updated.SetReplicas(pool.Replicas + 1);
        var then = cluster.AutoRebalances(StrimziNames.RebalanceModes.AddBrokers)
            ? "Strimzi moves replicas onto it (autoRebalance add-brokers)"
            : "the rebalance check moves replicas onto it";
        return new StrimziChange($"scale node pool {pool.Name} from {pool.Replicas} to {pool.Replicas + 1} brokers (Strimzi adds node {NextNodeId(cluster, pool)}; {then})", updated);
    }

    /// <summary>The id Strimzi gives the next node: the first free one in <c>strimzi.io/next-node-ids</c>, else the lowest free id in the cluster.</summary>
    public static int NextNodeId(StrimziCluster cluster, NodePoolResource pool)
    {
        var used = cluster.NodeIds;
        if (NodeIdList.Parse(pool.Annotation(StrimziNames.NextNodeIdsAnnotation)) is { } wanted && wanted.FirstOrDefault(id => !used.Contains(id), -1) is >= 0 and var next)
        {
            return next;
        }

        var id = 0;
        while (used.Contains(id))
        {
            id++;
        }

        return id;
    }

    private static ClusterPlan DownScale(ScaleCommand command, StrimziCluster cluster, NodePoolResource pool, NodePoolOptions limits, IReadOnlyDictionary<int, int>? replicaCounts, ExecutorOptions options)
    {
        if (cluster.Drains.GetValueOrDefault(pool.Name) is { } drain && drain.Command == command.IdempotencyKey)
        {
            return ContinueDrain(cluster, pool, drain);
        }

        if (PoolDrain.Read(pool) is { } failed && failed.Command == command.IdempotencyKey
            && cluster.Rebalance(failed.Rebalance) is { } rebalance
            && StrimziCluster.StateOf(rebalance) is StrimziNames.RebalanceStates.NotReady or StrimziNames.RebalanceStates.Stopped)
        {
            return ClusterPlan.Refuse(ReasonCodes.DrainFailed,
                $"KafkaRebalance {failed.Rebalance} draining broker {failed.Broker} of node pool {pool.Name} is {StrimziCluster.StateOf(rebalance)}"
                + (StrimziCluster.MessageOf(rebalance) is { } message ? $": {Excerpt.Of(message)}" : "")
                + "; spec.replicas unchanged, the drain is abandoned");
        }

        if (command.Continuation)
        {
            return ClusterPlan.NothingToDo($"the drain this command started on node pool {pool.Name} is gone (timed out, failed or removed); dropped, an alert that still fires sends a new command", ReasonCodes.DrainAbandoned);
        }

        if (pool.Replicas - 1 < limits.MinBrokers)
        {
            return ClusterPlan.Refuse(ReasonCodes.MinBrokers, $"node pool {pool.Name} has {pool.Replicas} brokers; one fewer would go below its MinBrokers {limits.MinBrokers}");
        }

        var nodes = pool.NodeIds;
        int broker;
        string why;
        if (command.Target.BrokerId is { } requested)
        {
            if (!nodes.Contains(requested))
            {
                return ClusterPlan.Refuse(ReasonCodes.BrokerNotFound, $"broker {requested} is not a node of node pool {pool.Name} (nodes {string.Join(", ", nodes)})");
            }

            (broker, why) = (requested, "named by the alert");
        }
        else if (nodes.Count == 0)
        {
            return ClusterPlan.Refuse(ReasonCodes.NoRemovableBroker, $"node pool {pool.Name} has no nodes in status.nodeIds");
        }
        else if (replicaCounts is not null)
        {
            broker = nodes.OrderBy(id => replicaCounts.GetValueOrDefault(id)).ThenByDescending(id => id).First();
            why = $"fewest partition replicas ({replicaCounts.GetValueOrDefault(broker)}) according to Cruise Control";
        }
        else if (NodeIdList.Parse(pool.Annotation(StrimziNames.RemoveNodeIdsAnnotation)) is { } listed && listed.FirstOrDefault(nodes.Contains, -1) is >= 0 and var first)
        {
            (broker, why) = (first, $"first of the pool's {StrimziNames.RemoveNodeIdsAnnotation}");
        }
        else
        {
            (broker, why) = (nodes.Max(), "highest id, Strimzi's default");
        }

        var updated = pool.Copy();
        updated.SetAnnotation(StrimziNames.RemoveNodeIdsAnnotation, $"[{broker.ToString(CultureInfo.InvariantCulture)}]");
        if (cluster.AutoRebalances(StrimziNames.RebalanceModes.RemoveBrokers))
        {
            updated.SetReplicas(pool.Replicas - 1);
            return new StrimziChange($"remove broker {broker} ({why}) from node pool {pool.Name}, {pool.Replicas} → {pool.Replicas - 1} brokers; Strimzi moves its replicas off first (autoRebalance remove-brokers)", updated);
        }

        var started = new PoolDrain(command.IdempotencyKey, broker, PoolDrain.RebalanceName(cluster.Name, broker), command.CreatedAt + options.DrainTimeout);
        updated.SetAnnotation(PoolDrain.Annotation, started.ToAnnotation());
        var namespaceName = cluster.Managed.Namespace;
        return new StrimziChange(
            $"drain broker {broker} ({why}) of node pool {pool.Name} with KafkaRebalance {started.Rebalance} (remove-brokers, auto-approved); spec.replicas goes from {pool.Replicas} to {pool.Replicas - 1} once it is Ready",
            updated)
        {
            PrepareCode = ReasonCodes.DrainStarted,
            Delete = cluster.Rebalance(started.Rebalance) is null ? null : started.Rebalance, // a finished one of an earlier drain
            Create = started.RebalanceResource(namespaceName, cluster.Name),
        };
    }

    /// <summary>The command's own drain, from the resources: (re)create its rebalance, wait for it, or remove the drained broker.</summary>
    private static ClusterPlan ContinueDrain(StrimziCluster cluster, NodePoolResource pool, PoolDrain drain)
    {
        if (cluster.Rebalance(drain.Rebalance) is not { } rebalance)
        {
            return new StrimziChange($"create KafkaRebalance {drain.Rebalance} again to drain broker {drain.Broker} of node pool {pool.Name} (it was not there)", null)
            {
                PrepareCode = ReasonCodes.Draining,
                Create = drain.RebalanceResource(cluster.Managed.Namespace, cluster.Name),
            };
        }

        var state = StrimziCluster.StateOf(rebalance);
        if (state != StrimziNames.RebalanceStates.Ready)
        {
            return ClusterPlan.Wait(ReasonCodes.Draining, $"broker {drain.Broker} of node pool {pool.Name} is being drained: KafkaRebalance {drain.Rebalance} is {state}");
        }

        var updated = pool.Copy();
        updated.SetAnnotation(StrimziNames.RemoveNodeIdsAnnotation, $"[{drain.Broker.ToString(CultureInfo.InvariantCulture)}]");
        updated.RemoveAnnotation(PoolDrain.Annotation);
        updated.SetReplicas(pool.Replicas - 1);
        return new StrimziChange($"remove broker {drain.Broker} from node pool {pool.Name}, {pool.Replicas} → {pool.Replicas - 1} brokers, drained by KafkaRebalance {drain.Rebalance}", updated)
        {
            Delete = drain.Rebalance,
        };
    }

    private static ClusterPlan AddVolume(ScaleCommand command, NodePoolResource pool, ExecutorOptions options)
    {
        if (pool.StorageType != "jbod")
        {
            return ClusterPlan.Refuse(ReasonCodes.StorageNotJbod, $"node pool {pool.Name} has {pool.StorageType ?? "no"} storage, not jbod: Strimzi adds volumes only to JBOD storage");
        }

        if (command.Parameters.MountPath is { } mountPath)
        {
            return ClusterPlan.Refuse(ReasonCodes.NotPerBroker, $"Strimzi chooses where a volume is mounted (/var/lib/kafka/data-<id>); the alert's mountPath {mountPath} cannot be honoured");
        }

        if (Size(command.Parameters.DiskSize, "addPvc needs a diskSize annotation", "diskSize", options) is { Refusal: { } refusal })
        {
            return refusal;
        }

        var size = DiskSize.TryParse(command.Parameters.DiskSize)!;
        var id = pool.Volumes.Select(v => ResourceFields.Int(v["id"]) ?? -1).DefaultIfEmpty(-1).Max() + 1;
        var volume = new JsonObject { ["id"] = id, ["type"] = "persistent-claim", ["size"] = size.ToString(), ["deleteClaim"] = false };
        if (command.Parameters.StorageClass is { } storageClass)
        {
            volume["class"] = storageClass;
        }

        var updated = pool.Copy();
        updated.AddVolume(volume);
        return new StrimziChange($"add a {size} persistent-claim volume (id {id}{(command.Parameters.StorageClass is { } sc ? $", class {sc}" : "")}) to every broker of node pool {pool.Name} (Strimzi volumes belong to the whole pool)", updated);
    }

    private static ClusterPlan GrowVolume(ScaleCommand command, StrimziCluster cluster, NodePoolResource pool, ExecutorOptions options)
    {
        var claim = Claim.Parse(command.Target.PersistentVolumeClaim ?? "", cluster.Name);
        if (claim is null)
        {
            return ClusterPlan.Refuse(ReasonCodes.MissingParameter, "resizePvc needs the persistentvolumeclaim label of a Strimzi volume");
        }

        var index = claim.Volume is { } volumeId ? pool.Volumes.ToList().FindIndex(v => ResourceFields.Int(v["id"]) == volumeId) : (int?)null;
        var volume = index is { } i ? (i >= 0 ? pool.Volumes[i] : null) : pool.Json["spec"]?["storage"] as JsonObject;
        if (volume is null || index is -1 || (claim.Volume is null && pool.StorageType == "jbod"))
        {
            return ClusterPlan.Refuse(ReasonCodes.StorageNotFound, $"node pool {pool.Name} has no volume for PVC {command.Target.PersistentVolumeClaim}");
        }

        if (ResourceFields.Text(volume["type"]) != "persistent-claim")
        {
            return ClusterPlan.Refuse(ReasonCodes.StorageNotJbod, $"the volume of PVC {command.Target.PersistentVolumeClaim} is {ResourceFields.Text(volume["type"]) ?? "untyped"}, not persistent-claim: it has no size to grow");
        }

        if (Size(command.Parameters.IncrementBy, "resizePvc needs an incrementBy annotation", "incrementBy", options, capped: false) is { Refusal: { } refusal })
        {
            return refusal;
        }

        var what = claim.Volume is { } v ? $"volume {v}" : "the volume";
        if (DiskSize.TryParse(ResourceFields.Text(volume["size"])) is not { } current)
        {
            return ClusterPlan.Refuse(ReasonCodes.InvalidSize, $"{what} of node pool {pool.Name} has no size to grow");
        }

        var max = options.MaxDiskQuantity;
        var grown = DiskSize.Add(current, DiskSize.TryParse(command.Parameters.IncrementBy)!);
        if (grown.ToDecimal() > max.ToDecimal())
        {
            grown = max;
        }

        if (grown.ToDecimal() <= current.ToDecimal())
        {
            return ClusterPlan.Refuse(ReasonCodes.MaxDiskSize, $"{what} of node pool {pool.Name} is already {current}, at or above Executor:MaxDiskSize {options.MaxDiskSize}");
        }

        var updated = pool.Copy();
        updated.SetSize(index, grown.ToString());
        return new StrimziChange($"grow {what} of every broker of node pool {pool.Name} from {current} to {grown}{(grown == max ? " (capped at Executor:MaxDiskSize)" : "")} (Strimzi sizes a pool's volume for all its brokers)", updated);
    }

    private static (ClusterPlan? Refusal, bool Ok) Size(string? text, string missing, string name, ExecutorOptions options, bool capped = true)
    {
        if (text is null)
        {
            return (ClusterPlan.Refuse(ReasonCodes.MissingParameter, missing), false);
        }

        if (DiskSize.TryParse(text) is not { } size || size.ToDecimal() <= 0)
        {
            return (ClusterPlan.Refuse(ReasonCodes.InvalidSize, $"{name} '{text}' is not a positive quantity"), false);
        }

        return capped && size.ToDecimal() > options.MaxDiskQuantity.ToDecimal()
            ? (ClusterPlan.Refuse(ReasonCodes.MaxDiskSize, $"{name} {text} is above Executor:MaxDiskSize {options.MaxDiskSize}"), false)
            : (null, true);
    }

    /// <summary>A Strimzi PVC name: <c>data-&lt;volume&gt;-&lt;cluster&gt;-&lt;pool&gt;-&lt;node&gt;</c> (JBOD) or <c>data-&lt;cluster&gt;-&lt;pool&gt;-&lt;node&gt;</c>.</summary>
    private sealed record Claim(int? Volume, string Pool, int Node)
    {
        public static Claim? Parse(string pvc, string cluster)
        {
            var match = ClaimName().Match(pvc);
            if (!match.Success)
            {
                return null;
            }

            var rest = match.Groups["rest"].Value;
            int? volume = match.Groups["volume"].Success ? int.Parse(match.Groups["volume"].Value, CultureInfo.InvariantCulture) : null;
            if (!rest.StartsWith(cluster + "-", StringComparison.Ordinal) && volume is not null)
            {
                // "data-0-…" of a cluster whose name starts with a digit group: read the number as part of the name.
                rest = $"{volume}-{rest}";
                volume = null;
            }

            return rest.StartsWith(cluster + "-", StringComparison.Ordinal) && rest[(cluster.Length + 1)..] is { Length: > 0 } pool
                && int.TryParse(match.Groups["node"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var node)
                ? new Claim(volume, pool, node)
                : null;
        }
    }

    [GeneratedRegex("^data-(?:(?<volume>[0-9]{1,9})-)?(?<rest>[a-z0-9.-]+)-(?<node>[0-9]{1,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex ClaimName();
}

/// <summary>
/// A planned change to a Strimzi cluster: the node pool as it should be (null when only rebalances change), then a
/// KafkaRebalance to delete and one to create — in that order, after the pool's patch.
/// </summary>
public sealed record StrimziChange(string Summary, NodePoolResource? Pool) : ClusterPlan(Summary)
{
    public string? Delete { get; init; }

    public JsonObject? Create { get; init; }
}
