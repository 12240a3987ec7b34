using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Tests.Execution;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>
/// A Strimzi cluster in the Kubernetes double as Strimzi's operator leaves it at rest — Kafka <c>my-cluster</c> Ready, a
/// controller-only pool (nodes 0–2) and the broker pool <c>broker</c> from Strimzi's sample (nodes 3–5, JBOD with one
/// 100Gi claim) — and the executor configured for it (pool <c>broker</c>, 1–5 brokers; the cluster 2–6), with the
/// operator's later writes (status, KafkaRebalance states) made the way Strimzi makes them.
/// </summary>
public static class StrimziTestCluster
{
    public const string Namespace = "kafka";
    public const string Name = "my-cluster";

    public static async Task<KubernetesApiDouble> StartApiAsync(Action<JsonObject>? kafka = null, Action<JsonObject>? broker = null) =>
        await Seed(new KubernetesApiDouble(), kafka, broker).StartAsync();

    /// <summary>Creates the cluster in <paramref name="api"/> (started or not), at rest.</summary>
    public static KubernetesApiDouble Seed(KubernetesApiDouble api, Action<JsonObject>? kafka = null, Action<JsonObject>? broker = null, bool poolB = false)
    {
        api.WithStrimziCrds();
        var sample = StrimziFiles.SampleKafka();
        sample["metadata"]!["name"] = Name;
        kafka?.Invoke(sample);
        api.Store.Create(StrimziFiles.KafkaKey(Namespace, Name), sample);
        SetKafkaReady(api, true);
        CreatePool(api, "controller", ["controller"], [0, 1, 2], null);
        CreatePool(api, "broker", ["broker"], [3, 4, 5], broker);
        if (poolB)
        {
            CreatePool(api, "pool-b", ["broker"], [6, 7], null);
        }

        return api;
    }

    public static Task<ExecutorHarness> ExecutorAsync(KubernetesApiDouble api, Action<Dictionary<string, string?>>? settings = null) =>
        ExecutorHarness.StartAsync(values =>
        {
            values["Clusters:0:Name"] = Name;
            values["Clusters:0:Kind"] = "KafkaNodePool";
            values["Clusters:0:MinBrokers"] = "2";
            values["Clusters:0:MaxBrokers"] = "6";
            values["Clusters:0:NodePools:0:Name"] = "broker";
            values["Clusters:0:NodePools:0:MinBrokers"] = "1";
            values["Clusters:0:NodePools:0:MaxBrokers"] = "5";
            settings?.Invoke(values);
        }, sharedApi: api);

    /// <summary>A command for the Strimzi cluster.</summary>
    public static ScaleCommand StrimziCommand(this ExecutorHarness harness, ScaleCommandKind kind, ScaleParameters? parameters = null, ScaleTarget? target = null, string? key = null) =>
        harness.Command(kind, parameters, target, key) with { Cluster = new ClusterRef(Namespace, Name, ClusterKind.KafkaNodePool) };

    public static JsonObject Pool(this KubernetesApiDouble api, string name = "broker") => api.Store.Get(StrimziFiles.NodePoolKey(Namespace, name));

    public static int Replicas(this KubernetesApiDouble api, string name = "broker") => (int)api.Pool(name)["spec"]!["replicas"]!;

    public static string? Annotation(this KubernetesApiDouble api, string annotation, string pool = "broker") =>
        (string?)api.Pool(pool)["metadata"]?["annotations"]?[annotation];

    public static JsonObject? Rebalance(this KubernetesApiDouble api, string name) => api.Store.Find(StrimziFiles.RebalanceKey(Namespace, name));

    public static void SetKafkaReady(KubernetesApiDouble api, bool ready, string? reason = null) =>
        api.Store.Update(StrimziFiles.KafkaKey(Namespace, Name), k => k["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = "Ready",
                ["status"] = ready ? "True" : "False",
                ["lastTransitionTime"] = "2025-01-15T09:00:00Z",
                ["reason"] = reason,
            }),
            ["observedGeneration"] = 1,
            ["kafkaNodePools"] = new JsonArray(new JsonObject { ["name"] = "controller" }, new JsonObject { ["name"] = "broker" }),
            ["clusterId"] = "x7Fq3kQ1Tg2v",
        }, CustomObjectStore.Scope.Status);

    /// <summary>Writes a pool's status as Strimzi does after reconciling it: its node ids, replicas and roles.</summary>
    public static void SetPoolStatus(KubernetesApiDouble api, string pool, int[] nodeIds, int? replicas = null) =>
        api.Store.Update(StrimziFiles.NodePoolKey(Namespace, pool), p => p["status"] = new JsonObject
        {
            ["nodeIds"] = new JsonArray(nodeIds.Select(id => (JsonNode)id).ToArray()),
            ["replicas"] = replicas ?? nodeIds.Length,
            ["roles"] = p["spec"]!["roles"]!.DeepClone(),
            ["observedGeneration"] = p["metadata"]!["generation"]!.DeepClone(),
            ["labelSelector"] = $"strimzi.io/cluster={Name},strimzi.io/name={Name}-kafka,strimzi.io/kind=Kafka,strimzi.io/pool-name={pool}",
            ["clusterId"] = "x7Fq3kQ1Tg2v",
        }, CustomObjectStore.Scope.Status);

    /// <summary>Moves a KafkaRebalance to <paramref name="state"/> as Strimzi writes it (a condition of that type, status True).</summary>
    public static void SetRebalanceState(KubernetesApiDouble api, string name, string state, string? message = null) =>
        api.Store.Update(StrimziFiles.RebalanceKey(Namespace, name), r => r["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = state,
                ["status"] = "True",
                ["lastTransitionTime"] = "2025-01-15T10:00:00Z",
                ["reason"] = message is null ? null : "CruiseControlRestException",
                ["message"] = message,
            }),
            ["observedGeneration"] = 1,
            ["sessionId"] = "05539377-ca7b-45ef-b359-e13564f1458c",
        }, CustomObjectStore.Scope.Status);

    private static void CreatePool(KubernetesApiDouble api, string name, string[] roles, int[] nodeIds, Action<JsonObject>? customize)
    {
        var pool = StrimziFiles.SampleKafkaNodePool();
        pool["metadata"]!["name"] = name;
        pool["metadata"]!["labels"]![StrimziNames.ClusterLabel] = Name;
        pool["spec"]!["replicas"] = nodeIds.Length;
        pool["spec"]!["roles"] = new JsonArray(roles.Select(r => (JsonNode)r).ToArray());
        customize?.Invoke(pool);
        api.Store.Create(StrimziFiles.NodePoolKey(Namespace, name), pool);
        SetPoolStatus(api, name, nodeIds);
    }
}
