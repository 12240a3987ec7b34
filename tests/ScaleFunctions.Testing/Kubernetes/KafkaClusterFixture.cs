using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// Koperator's side of a KafkaCluster in the double: seeds the sample object and writes <c>status</c> the way the
/// operator does (cluster <c>state</c>, <c>brokersState[id].gracefulActionState.cruiseControlState</c>, volume states).
/// </summary>
public static class KafkaClusterFixture
{
    public const string Running = "ClusterRunning";
    public const string Reconciling = "ClusterReconciling";
    public const string UpscaleSucceeded = "GracefulUpscaleSucceeded";

    /// <summary>Registers the KafkaCluster CRD with the double's store (idempotent).</summary>
    public static KubernetesApiDouble WithKafkaClusterCrd(this KubernetesApiDouble api)
    {
        api.Store.Register(KoperatorFiles.KafkaCluster);
        return api;
    }

    /// <summary>
    /// Creates the sample KafkaCluster (brokers 0–2, group <c>default</c>) as <paramref name="namespace"/>/<paramref name="name"/>,
    /// optionally changed first, and gives it a Running status with every broker's upscale succeeded.
    /// </summary>
    public static JsonObject SeedKafkaCluster(this KubernetesApiDouble api, string @namespace = "kafka", string name = "kafka", Action<JsonObject>? customize = null)
    {
        api.WithKafkaClusterCrd();
        var sample = KoperatorFiles.SampleKafkaCluster();
        sample["metadata"]!["name"] = name;
        customize?.Invoke(sample);
        var key = ObjectKey.KafkaCluster(@namespace, name);
        api.Store.Create(key, sample);
        return api.SetClusterStatus(@namespace, name, Running);
    }

    /// <summary>Writes a status: the cluster state and, for every broker in spec, a brokersState entry (through /status).</summary>
    public static JsonObject SetClusterStatus(this KubernetesApiDouble api, string @namespace, string name, string state, string cruiseControlState = UpscaleSucceeded)
    {
        var key = ObjectKey.KafkaCluster(@namespace, name);
        return api.Store.Update(key, cluster =>
        {
            var brokers = new JsonObject();
            foreach (var broker in cluster["spec"]!["brokers"]!.AsArray())
            {
                brokers[broker!["id"]!.Deserialize<long>().ToString(CultureInfo.InvariantCulture)] = BrokerState(cruiseControlState);
            }

            cluster["status"] = new JsonObject { ["state"] = state, ["alertCount"] = 0, ["brokersState"] = brokers };
        }, CustomObjectStore.Scope.Status);
    }

    /// <summary>Changes the status as the operator would (through /status); the spec is untouched.</summary>
    public static JsonObject UpdateStatus(this KubernetesApiDouble api, string @namespace, string name, Action<JsonObject> changeStatus) =>
        api.Store.Update(ObjectKey.KafkaCluster(@namespace, name), cluster =>
        {
            cluster["status"] ??= new JsonObject { ["state"] = Running, ["alertCount"] = 0 };
            changeStatus(cluster["status"]!.AsObject());
        }, CustomObjectStore.Scope.Status);

    /// <summary>Sets one broker's Cruise Control state (creating its brokersState entry if needed).</summary>
    public static JsonObject SetBrokerState(this KubernetesApiDouble api, string @namespace, string name, int brokerId, string cruiseControlState, IReadOnlyDictionary<string, string>? volumeStates = null) =>
        api.UpdateStatus(@namespace, name, status =>
        {
            var brokers = status["brokersState"] as JsonObject ?? new JsonObject();
            status["brokersState"] = brokers;
            var state = BrokerState(cruiseControlState);
            if (volumeStates is not null)
            {
                var volumes = new JsonObject();
                foreach (var (mountPath, volumeState) in volumeStates)
                {
                    volumes[mountPath] = new JsonObject { ["cruiseControlVolumeState"] = volumeState };
                }

                state["gracefulActionState"]!["volumeStates"] = volumes;
            }

            brokers[brokerId.ToString(CultureInfo.InvariantCulture)] = state;
        });

    public static JsonObject GetKafkaCluster(this KubernetesApiDouble api, string @namespace = "kafka", string name = "kafka") =>
        api.Store.Get(ObjectKey.KafkaCluster(@namespace, name));

    public static IReadOnlyList<int> BrokerIds(JsonObject cluster) =>
        cluster["spec"]!["brokers"]!.AsArray().Select(b => b!["id"]!.Deserialize<int>()).ToList();

    private static JsonObject BrokerState(string cruiseControlState) => new()
    {
        ["configurationState"] = "ConfigInSync",
        ["perBrokerConfigurationState"] = "PerBrokerConfigInSync",
        ["rackAwarenessState"] = "",
        ["gracefulActionState"] = new JsonObject { ["cruiseControlState"] = cruiseControlState },
    };
}
