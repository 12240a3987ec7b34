using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The Koperator reference files in <c>Reference/koperator/</c> (see Reference/SOURCES.md): the KafkaCluster CRD's
/// schema and a realistic sample object.
/// </summary>
public static class KoperatorFiles
{
    public const string Group = "kafka.banzaicloud.io";
    public const string Version = "v1beta1";
    public const string KafkaClusters = "kafkaclusters";

    private static readonly Lazy<CustomResourceSchema> KafkaClusterSchema = new(() =>
        CustomResourceSchema.FromCrdYaml(File.ReadAllText(Path.Combine(Folder, "kafkacluster-crd.yaml")), Version));

    public static string Folder => ReferenceFiles.Directory("koperator");

    /// <summary>The KafkaCluster CRD's schema (parsed once; the file is half a megabyte).</summary>
    public static CustomResourceSchema KafkaCluster => KafkaClusterSchema.Value;

    /// <summary>A fresh copy of <c>sample-kafkacluster.yaml</c> (brokers 0, 1, 2 in group <c>default</c>; no status).</summary>
    public static JsonObject SampleKafkaCluster() =>
        YamlJson.ReadObject(File.ReadAllText(Path.Combine(Folder, "sample-kafkacluster.yaml")));
}
