using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>The clusters the app manages, looked up by namespace and name.</summary>
public sealed class ManagedClusters(IOptions<ManagedClustersOptions> options)
{
    public IReadOnlyList<ManagedClusterOptions> All => options.Value.Clusters;

    public ManagedClusterOptions? Find(string @namespace, string name) =>
        options.Value.Clusters.FirstOrDefault(c =>
            string.Equals(c.Namespace, @namespace, StringComparison.Ordinal) &&
            string.Equals(c.Name, name, StringComparison.Ordinal));
}
