namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>Where a custom object lives: <c>/apis/{Group}/{Version}/namespaces/{Namespace}/{Plural}/{Name}</c>.</summary>
public sealed record ObjectKey(string Group, string Version, string Namespace, string Plural, string Name)
{
    public static ObjectKey KafkaCluster(string @namespace, string name) =>
        new(KoperatorFiles.Group, KoperatorFiles.Version, @namespace, KoperatorFiles.KafkaClusters, name);

    /// <summary>The resource's name in messages, as the API server writes it: <c>plural.group</c>.</summary>
    public string Resource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public override string ToString() => $"{Resource} {Namespace}/{Name}";
}
