using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The Koperator reference files in <c>../shared/reference/koperator/</c> beside the repository (or the folder named by
/// the <c>SCALEFUNCTIONS_REFERENCE</c> environment variable): the KafkaCluster CRD and a realistic sample object.
/// </summary>
public static class KoperatorFiles
{
    public const string Group = "kafka.banzaicloud.io";
    public const string Version = "v1beta1";
    public const string KafkaClusters = "kafkaclusters";

    private static readonly Lazy<CustomResourceSchema> KafkaClusterSchema = new(() =>
        CustomResourceSchema.FromCrdYaml(File.ReadAllText(Path.Combine(Folder, "kafkacluster-crd.yaml")), Version));

    public static string Folder => Path.Combine(ReferenceRoot(), "koperator");

    /// <summary>The KafkaCluster CRD's schema (parsed once; the file is 1.6 MB).</summary>
    public static CustomResourceSchema KafkaCluster => KafkaClusterSchema.Value;

    /// <summary>A fresh copy of <c>sample-kafkacluster.yaml</c> (brokers 0, 1, 2 in group <c>default</c>; no status).</summary>
    public static JsonObject SampleKafkaCluster() =>
        YamlJson.ReadObject(File.ReadAllText(Path.Combine(Folder, "sample-kafkacluster.yaml")));

    public static string ReferenceRoot()
    {
        var configured = Environment.GetEnvironmentVariable("SCALEFUNCTIONS_REFERENCE");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleFunctions.sln")))
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "reference");
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new DirectoryNotFoundException(
            "Reference files not found: expected ../shared/reference beside the repository, or set SCALEFUNCTIONS_REFERENCE.");
    }
}
