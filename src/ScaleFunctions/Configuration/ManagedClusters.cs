using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>The clusters the app manages, looked up by namespace and name.</summary>
public sealed class ManagedClusters(IOptions<ManagedClustersOptions> options)
{
    public IReadOnlyList<ManagedClusterOptions> All => options.Value.Clusters;

    // A loop, not LINQ: intake looks up the cluster of every alert, and a lambda capturing the names costs an allocation per call.
    public ManagedClusterOptions? Find(string @namespace, string name)
    {
        foreach (var cluster in options.Value.Clusters)
        {
            if (string.Equals(cluster.Namespace, @namespace, StringComparison.Ordinal) && string.Equals(cluster.Name, name, StringComparison.Ordinal))
            {
                return cluster;
            }
        }

        return null;
    }
}
