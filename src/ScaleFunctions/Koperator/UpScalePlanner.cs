using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;

using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// upScale on a KafkaCluster: adds one broker, with an id above every id in <c>spec.brokers</c> and
/// <c>status.brokersState</c> (a broker still being drained never has its id reused). Its configuration:
/// docs/executor.md#what-each-command-does.
/// </summary>
public static class UpScalePlanner
{
    private const int MaxBrokerId = 65534; // the CRD: 0 ≤ id < 65535

    public static BrokerPlan Plan(KafkaClusterResource cluster, ScaleParameters parameters, ExecutorOptions options)
    {
        var known = cluster.BrokerIds.Concat(cluster.StatusBrokerIds).ToList();
        var id = known.Count == 0 ? 0 : known.Max() + 1;
        if (id > MaxBrokerId)
        {
            return BrokerPlan.Refuse(ReasonCodes.BrokerIdExhausted, $"the next broker id would be {id}, above Koperator's maximum {MaxBrokerId}");
        }

        var broker = new JsonObject { ["id"] = id };
        string source;
        if (parameters.BrokerConfigGroup is { } group)
        {
            if (!cluster.HasBrokerConfigGroup(group))
            {
                return BrokerPlan.Refuse(ReasonCodes.BrokerConfigGroupNotFound, $"brokerConfigGroup '{group}' does not exist in spec.brokerConfigGroups");
            }

            broker["brokerConfigGroup"] = group;
            source = $"group {group}";
        }
        else if (parameters.DiskSize is { } diskSize)
        {
            if (DiskSize.TryParse(diskSize) is not { } size || size.ToDecimal() <= 0)
            {
                return BrokerPlan.Refuse(ReasonCodes.InvalidSize, $"diskSize '{diskSize}' is not a positive quantity");
            }

            if (size.ToDecimal() > options.MaxDiskQuantity.ToDecimal())
            {
                return BrokerPlan.Refuse(ReasonCodes.MaxDiskSize, $"diskSize {diskSize} is above Executor:MaxDiskSize {options.MaxDiskSize}");
            }

            var mountPath = parameters.MountPath ?? options.DefaultMountPath;
            broker["brokerConfig"] = new JsonObject
            {
                ["storageConfigs"] = new JsonArray(BrokerStorage.NewVolume(mountPath, size.ToString(), parameters.StorageClass)),
            };
            source = $"a {size} volume at {mountPath}" + (parameters.StorageClass is { } sc ? $" of class {sc}" : "");
        }
        else if (options.DefaultBrokerConfigGroup is { Length: > 0 } fallback && cluster.HasBrokerConfigGroup(fallback))
        {
            broker["brokerConfigGroup"] = fallback;
            source = $"default group {fallback}";
        }
        else
        {
            return BrokerPlan.Refuse(ReasonCodes.MissingParameter,
                "upScale needs a brokerConfigGroup or a diskSize annotation (and the cluster has no Executor:DefaultBrokerConfigGroup)");
        }

        if (parameters.Image is not null || parameters.BrokerAnnotations is { Count: > 0 })
        {
            var config = broker["brokerConfig"] as JsonObject ?? new JsonObject();
            broker["brokerConfig"] = config;
            if (parameters.Image is { } image)
            {
                config["image"] = image;
            }

            if (parameters.BrokerAnnotations is { Count: > 0 } annotations)
            {
                config["brokerAnnotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
            }
        }

        cluster.AddBroker(broker);
        return BrokerPlan.Change(id, $"add broker {id} ({source})");
    }
}
