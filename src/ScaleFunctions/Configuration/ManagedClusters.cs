using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>The clusters the app manages (the <c>Clusters</c> settings, bound once), looked up by namespace and name.</summary>
public sealed class ManagedClusters(IOptions<ManagedClustersOptions> options)
{
    public IReadOnlyList<ManagedClusterOptions> All => options.Value.Clusters;

    public ManagedClusterOptions? Find(ClusterRef cluster) => Find(cluster.Namespace, cluster.Name);

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

/// <summary>The <c>Clusters</c> configuration array.</summary>
public sealed class ManagedClustersOptions
{
    public List<ManagedClusterOptions> Clusters { get; } = [];
}

/// <summary>Start-up validation of <see cref="ManagedClustersOptions"/>: each entry valid, no duplicates, min ≤ max.</summary>
public sealed class ManagedClustersOptionsValidator : IValidateOptions<ManagedClustersOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagedClustersOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var cluster = options.Clusters[i];
            var context = new System.ComponentModel.DataAnnotations.ValidationContext(cluster);
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(cluster, context, results, validateAllProperties: true))
            {
                failures.AddRange(results.Select(r => $"Clusters:{i}: {r.ErrorMessage}"));
            }

            if (cluster.MinBrokers > cluster.MaxBrokers)
            {
                failures.Add($"Clusters:{i}: MinBrokers ({cluster.MinBrokers}) is greater than MaxBrokers ({cluster.MaxBrokers}).");
            }

            failures.AddRange(NodePoolFailures(cluster).Select(f => $"Clusters:{i}: {f}"));
        }

        failures.AddRange(options.Clusters
            .GroupBy(c => c.Ref.ToString(), StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"Clusters: {g.Key} is listed {g.Count()} times."));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>A Strimzi cluster names at least one pool, each once and valid; a Koperator cluster names none.</summary>
    private static IEnumerable<string> NodePoolFailures(ManagedClusterOptions cluster)
    {
        if (cluster.Kind != ClusterKind.KafkaNodePool)
        {
            if (cluster.NodePools.Count > 0)
            {
                yield return $"NodePools is for Kind KafkaNodePool (Strimzi), not {cluster.Kind}.";
            }

            yield break;
        }

        if (cluster.NodePools.Count == 0)
        {
            yield return "Kind KafkaNodePool needs NodePools: the broker node pools the app may scale (NodePools__0__Name).";
        }

        foreach (var pool in cluster.NodePools)
        {
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(pool, new System.ComponentModel.DataAnnotations.ValidationContext(pool), results, validateAllProperties: true))
            {
                foreach (var result in results)
                {
                    yield return result.ErrorMessage ?? "NodePools: invalid entry.";
                }
            }

            if (pool.MinBrokers > pool.MaxBrokers)
            {
                yield return $"NodePools {pool.Name}: MinBrokers ({pool.MinBrokers}) is greater than MaxBrokers ({pool.MaxBrokers}).";
            }
        }

        foreach (var duplicate in cluster.NodePools.GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"NodePools: {duplicate.Key} is listed {duplicate.Count()} times.";
        }
    }
}
