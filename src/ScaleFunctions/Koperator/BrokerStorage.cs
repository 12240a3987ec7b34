using System.Text.Json.Nodes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// A broker's volumes as Koperator composes them: the broker's own <c>brokerConfig.storageConfigs</c> first, then its
/// group's, the first entry per mountPath winning. Changes are written as a per-broker override of the whole list (<see cref="KafkaClusterResource.SetBrokerStorage"/>), in
/// the same order, so the group (and every other broker) is untouched (Koperator #451) and the PVC index of every
/// existing volume stays what it was.
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
