using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// addPvc and resizePvc on the broker that owns the alert's PVC (<see cref="PvcOwner"/>), always as a per-broker
/// override (<see cref="BrokerStorage"/>), never by editing a brokerConfigGroup.
/// </summary>
public static class StoragePlanner
{
    /// <summary>
    /// Adds a volume: size <c>diskSize</c>, class <c>storageClass</c>, at the alert's <c>mountPath</c> or, when it names
    /// none, at <c>/kafka-logs-{8 hex of SHA-256(idempotency key)}</c> — the same command always picks the same path, so a
    /// replay finds the volume already there and changes nothing.
    /// </summary>
    public static BrokerPlan AddVolume(KafkaClusterResource cluster, ScaleCommand command, ExecutorOptions options)
    {
        var (owner, refusal) = PvcOwner.Find(cluster.Name, command.Target);
        if (owner is null)
        {
            return refusal!;
        }

        if (cluster.Broker(owner.BrokerId) is not { } broker)
        {
            return BrokerPlan.Refuse(ReasonCodes.BrokerNotFound, $"broker {owner.BrokerId} (owner of the PVC) is not in spec.brokers");
        }

        if (command.Parameters.DiskSize is not { } diskSize)
        {
            return BrokerPlan.Refuse(ReasonCodes.MissingParameter, "addPvc needs a diskSize annotation");
        }

        if (DiskSize.TryParse(diskSize) is not { } size || size.ToDecimal() <= 0)
        {
            return BrokerPlan.Refuse(ReasonCodes.InvalidSize, $"diskSize '{diskSize}' is not a positive quantity");
        }

        if (size.ToDecimal() > options.MaxDiskQuantity.ToDecimal())
        {
            return BrokerPlan.Refuse(ReasonCodes.MaxDiskSize, $"diskSize {diskSize} is above Executor:MaxDiskSize {options.MaxDiskSize}");
        }

        var mountPath = command.Parameters.MountPath ?? DerivedMountPath(command.IdempotencyKey);
        var storage = BrokerStorage.Effective(cluster, broker);
        if (BrokerStorage.ByMountPath(storage, mountPath) is not null)
        {
            return BrokerPlan.NothingToDo(owner.BrokerId, $"broker {owner.BrokerId} already has a volume at {mountPath}");
        }

        storage.Add(BrokerStorage.NewVolume(mountPath, size.ToString(), command.Parameters.StorageClass));
        cluster.SetBrokerStorage(owner.BrokerId, storage);
        return BrokerPlan.Change(owner.BrokerId, $"add a {size} volume at {mountPath} to broker {owner.BrokerId}"
            + (command.Parameters.StorageClass is { } sc ? $" (class {sc})" : ""));
    }

    /// <summary>
    /// Grows one volume by <c>incrementBy</c>, up to <c>Executor:MaxDiskSize</c>; never shrinks. The volume is the
    /// alert's <c>mountPath</c> when given, else the one at the PVC name's index.
    /// </summary>
    public static BrokerPlan GrowVolume(KafkaClusterResource cluster, ScaleCommand command, ExecutorOptions options)
    {
        var (owner, refusal) = PvcOwner.Find(cluster.Name, command.Target);
        if (owner is null)
        {
            return refusal!;
        }

        if (cluster.Broker(owner.BrokerId) is not { } broker)
        {
            return BrokerPlan.Refuse(ReasonCodes.BrokerNotFound, $"broker {owner.BrokerId} (owner of the PVC) is not in spec.brokers");
        }

        if (command.Parameters.IncrementBy is not { } incrementText)
        {
            return BrokerPlan.Refuse(ReasonCodes.MissingParameter, "resizePvc needs an incrementBy annotation");
        }

        if (DiskSize.TryParse(incrementText) is not { } increment || increment.ToDecimal() <= 0)
        {
            return BrokerPlan.Refuse(ReasonCodes.InvalidSize, $"incrementBy '{incrementText}' is not a positive quantity (a volume never shrinks)");
        }

        var storage = BrokerStorage.Effective(cluster, broker);
        var volume = command.Parameters.MountPath is { } mountPath
            ? BrokerStorage.ByMountPath(storage, mountPath)
            : owner.StorageIndex is { } index && index < storage.Count ? storage[index] : null;
        if (volume is null)
        {
            return BrokerPlan.Refuse(ReasonCodes.StorageNotFound, command.Parameters.MountPath is { } path
                ? $"broker {owner.BrokerId} has no volume at {path}"
                : $"broker {owner.BrokerId} has no volume for PVC {command.Target.PersistentVolumeClaim} (index {owner.StorageIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}) and the alert names no mountPath");
        }

        var at = (string?)volume["mountPath"];
        if (DiskSize.TryParse(BrokerStorage.RequestedSize(volume)) is not { } current)
        {
            return BrokerPlan.Refuse(ReasonCodes.InvalidSize, $"the volume at {at} of broker {owner.BrokerId} has no storage request to grow");
        }

        var max = options.MaxDiskQuantity;
        var grown = DiskSize.Add(current, increment);
        if (grown.ToDecimal() > max.ToDecimal())
        {
            grown = max;
        }

        if (grown.ToDecimal() <= current.ToDecimal())
        {
            return BrokerPlan.Refuse(ReasonCodes.MaxDiskSize, $"the volume at {at} of broker {owner.BrokerId} is already {current}, at or above Executor:MaxDiskSize {options.MaxDiskSize}");
        }

        volume["pvcSpec"]!["resources"]!["requests"]!["storage"] = grown.ToString();
        cluster.SetBrokerStorage(owner.BrokerId, storage);
        return BrokerPlan.Change(owner.BrokerId, $"grow the volume at {at} of broker {owner.BrokerId} from {current} to {grown}"
            + (grown == max ? " (capped at Executor:MaxDiskSize)" : ""));
    }

    public static string DerivedMountPath(string idempotencyKey) =>
        "/kafka-logs-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..8];
}

/// <summary>
/// A broker's effective volumes as Koperator composes them (its own storageConfigs, then its group's), changed only as
/// a per-broker override of the whole list: editing the group would resize every broker in it (Koperator #451).
/// docs/executor.md, "Per-broker overrides, never the group".
/// </summary>
public static class BrokerStorage
{
    public static List<JsonObject> Effective(KafkaClusterResource cluster, JsonObject broker)
    {
        var own = broker["brokerConfig"]?["storageConfigs"] as JsonArray;
        var group = (string?)broker["brokerConfigGroup"] is { Length: > 0 } groupName
            ? cluster.BrokerConfigGroup(groupName)?["storageConfigs"] as JsonArray
            : null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return (own ?? []).Concat(group ?? []).OfType<JsonObject>()
            .Where(s => seen.Add((string?)s["mountPath"] ?? ""))
            .Select(s => s.DeepClone().AsObject())
            .ToList();
    }

    public static JsonObject? ByMountPath(IEnumerable<JsonObject> storage, string mountPath) =>
        storage.FirstOrDefault(s => string.Equals((string?)s["mountPath"], mountPath, StringComparison.Ordinal));

    public static string? RequestedSize(JsonObject storage) => (string?)storage["pvcSpec"]?["resources"]?["requests"]?["storage"];

    public static JsonObject NewVolume(string mountPath, string size, string? storageClass)
    {
        var pvcSpec = new JsonObject { ["accessModes"] = new JsonArray("ReadWriteOnce") };
        if (!string.IsNullOrEmpty(storageClass))
        {
            pvcSpec["storageClassName"] = storageClass;
        }

        pvcSpec["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = size } };
        return new JsonObject { ["mountPath"] = mountPath, ["pvcSpec"] = pvcSpec };
    }
}

/// <summary>
/// Which broker, and which of its volumes, an alert's PVC belongs to, from Koperator's PVC name
/// (<c>{cluster}-{brokerId}-storage-{index}-{random}</c>) and the alert's labels, without reading the PVC.
/// docs/executor.md, "Which broker owns a PVC".
/// </summary>
public sealed record PvcOwner(int BrokerId, int? StorageIndex)
{
    public static (PvcOwner? Owner, BrokerPlan? Refusal) Find(string clusterName, ScaleTarget target)
    {
        var name = target.PersistentVolumeClaim;
        int? nameBroker = null;
        int? index = null;
        if (name is not null)
        {
            var match = Regex.Match(name, $"^{Regex.Escape(clusterName)}-([0-9]+)-storage-([0-9]+)-[a-z0-9]+$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            if (match.Success
                && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var broker)
                && int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var storage))
            {
                nameBroker = broker;
                index = storage;
            }
        }

        if (target.BrokerId is { } labelled && nameBroker is { } named && labelled != named)
        {
            return (null, BrokerPlan.Refuse(ReasonCodes.PvcOwnerUnknown,
                $"the alert's brokerId label ({labelled}) disagrees with PVC {name}, which Koperator named for broker {named}"));
        }

        if ((target.BrokerId ?? nameBroker) is not { } brokerId)
        {
            return (null, BrokerPlan.Refuse(ReasonCodes.PvcOwnerUnknown, name is null
                ? "the alert names no persistentvolumeclaim and no brokerId"
                : $"PVC {name} does not follow Koperator's naming ({clusterName}-<brokerId>-storage-<n>-…) and the alert has no brokerId label"));
        }

        return (new PvcOwner(brokerId, index), null);
    }
}
