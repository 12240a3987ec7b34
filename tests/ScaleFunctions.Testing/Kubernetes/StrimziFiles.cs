using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The Strimzi reference files in <c>Reference/strimzi/</c> (see Reference/SOURCES.md): the <c>kafka.strimzi.io/v1</c>
/// CRDs of Kafka, KafkaNodePool (status and scale subresources) and KafkaRebalance, and Strimzi's own example objects.
/// </summary>
public static class StrimziFiles
{
    private static readonly Lazy<CustomResourceSchema> KafkaSchema = new(() => Crd("040-Crd-kafka.yaml"));
    private static readonly Lazy<CustomResourceSchema> KafkaNodePoolSchema = new(() => Crd("045-Crd-kafkanodepool.yaml"));
    private static readonly Lazy<CustomResourceSchema> KafkaRebalanceSchema = new(() => Crd("049-Crd-kafkarebalance.yaml"));

    public static string Folder => ReferenceFiles.Directory("strimzi");

    /// <summary>The Kafka CRD's schema (parsed once; the file is a third of a megabyte).</summary>
    public static CustomResourceSchema Kafka => KafkaSchema.Value;

    public static CustomResourceSchema KafkaNodePool => KafkaNodePoolSchema.Value;

    public static CustomResourceSchema KafkaRebalance => KafkaRebalanceSchema.Value;

    /// <summary>Registers the three Strimzi CRDs with the double's store (idempotent).</summary>
    public static KubernetesApiDouble WithStrimziCrds(this KubernetesApiDouble api)
    {
        api.Store.Register(Kafka);
        api.Store.Register(KafkaNodePool);
        api.Store.Register(KafkaRebalance);
        return api;
    }

    /// <summary>A fresh copy of Strimzi's <c>Kafka-regular.yaml</c> (<c>my-cluster</c>, no Cruise Control, no status).</summary>
    public static JsonObject SampleKafka() => Read("Kafka-regular.yaml");

    /// <summary>A fresh copy of <c>KafkaNodePool-regular.yaml</c> (pool <c>broker</c>: 3 replicas, role broker, JBOD with one 100Gi persistent claim).</summary>
    public static JsonObject SampleKafkaNodePool() => Read("KafkaNodePool-regular.yaml");

    /// <summary>A fresh copy of one of the KafkaRebalance examples (<c>kafka-rebalance-full.yaml</c>, …).</summary>
    public static JsonObject SampleKafkaRebalance(string file = "kafka-rebalance-full.yaml") => Read(file);

    /// <summary>Every object of <c>example-kafka-cruise-control-auto-rebalancing.yaml</c> (pools, Kafka with autoRebalance, templates).</summary>
    public static IReadOnlyList<JsonObject> AutoRebalancingExample() =>
        YamlJson.ReadAll(File.ReadAllText(Path.Combine(Folder, "example-kafka-cruise-control-auto-rebalancing.yaml"))).OfType<JsonObject>().ToList();

    public static ObjectKey KafkaKey(string @namespace, string name) => new(StrimziNames.Group, StrimziNames.Version, @namespace, StrimziNames.Kafkas, name);

    public static ObjectKey NodePoolKey(string @namespace, string name) => new(StrimziNames.Group, StrimziNames.Version, @namespace, StrimziNames.KafkaNodePools, name);

    public static ObjectKey RebalanceKey(string @namespace, string name) => new(StrimziNames.Group, StrimziNames.Version, @namespace, StrimziNames.KafkaRebalances, name);

    private static CustomResourceSchema Crd(string file) =>
        CustomResourceSchema.FromCrdYaml(File.ReadAllText(Path.Combine(Folder, file)), StrimziNames.Version);

    private static JsonObject Read(string file) => YamlJson.ReadObject(File.ReadAllText(Path.Combine(Folder, file)));
}
