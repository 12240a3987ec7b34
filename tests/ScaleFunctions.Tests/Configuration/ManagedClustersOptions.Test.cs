using Microsoft.Extensions.Configuration;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Tests.Configuration;

/// <summary>The Clusters section as users write it (app settings), bound and validated as at start-up.</summary>
public sealed class ManagedClustersOptionsTest
{
    [Fact]
    public void A_strimzi_cluster_binds_its_node_pools_with_their_limits()
    {
        var options = Bind(new()
        {
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "my-cluster",
            ["Clusters:0:Kind"] = "KafkaNodePool",
            ["Clusters:0:NodePools:0:Name"] = "broker",
            ["Clusters:0:NodePools:0:MinBrokers"] = "3",
            ["Clusters:0:NodePools:0:MaxBrokers"] = "9",
            ["Clusters:0:NodePools:1:Name"] = "pool-b",
        });

        var cluster = Assert.Single(options.Clusters);
        Assert.Equal(ClusterKind.KafkaNodePool, cluster.Kind);
        Assert.Equal(["broker", "pool-b"], cluster.NodePools.Select(p => p.Name));
        Assert.Equal((3, 9), (cluster.NodePools[0].MinBrokers, cluster.NodePools[0].MaxBrokers));
        Assert.Equal((1, 1000), (cluster.NodePools[1].MinBrokers, cluster.NodePools[1].MaxBrokers));
        Assert.True(new ManagedClustersOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("KafkaNodePool", null, null, null, "Kind KafkaNodePool needs NodePools")]
    [InlineData("KafkaNodePool", "Broker_Pool", null, null, "NodePools: Name must be a DNS-1123 subdomain.")]
    [InlineData("KafkaNodePool", "broker", "5", "4", "NodePools broker: MinBrokers (5) is greater than MaxBrokers (4).")]
    [InlineData("KafkaCluster", "broker", null, null, "NodePools is for Kind KafkaNodePool (Strimzi), not KafkaCluster.")]
    public void Node_pool_settings_that_cannot_work_fail_at_start_up(string kind, string? pool, string? min, string? max, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "my-cluster",
            ["Clusters:0:Kind"] = kind,
        };
        if (pool is not null)
        {
            settings["Clusters:0:NodePools:0:Name"] = pool;
            settings["Clusters:0:NodePools:0:MinBrokers"] = min;
            settings["Clusters:0:NodePools:0:MaxBrokers"] = max;
        }

        var result = new ManagedClustersOptionsValidator().Validate(null, Bind(settings));

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Clusters:0: ", StringComparison.Ordinal) && f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_pool_listed_twice_fails_at_start_up()
    {
        var result = new ManagedClustersOptionsValidator().Validate(null, Bind(new()
        {
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "my-cluster",
            ["Clusters:0:Kind"] = "KafkaNodePool",
            ["Clusters:0:NodePools:0:Name"] = "broker",
            ["Clusters:0:NodePools:1:Name"] = "broker",
        }));

        Assert.Contains(result.Failures!, f => f == "Clusters:0: NodePools: broker is listed 2 times.");
    }

    private static ManagedClustersOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new ManagedClustersOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().Bind(options);
        return options;
    }
}
