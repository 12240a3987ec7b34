using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>
/// The Kubernetes double serves Strimzi's own CRDs as the API server would: Strimzi's example objects are accepted,
/// what the schema forbids is a 422, the status subresource is separate.
/// </summary>
public sealed class StrimziCrdsIntegrationTest
{
    [Fact]
    public async Task Strimzis_examples_are_accepted_and_read_back()
    {
        await using var api = await new KubernetesApiDouble { Rbac = null }.WithStrimziCrds().StartAsync();
        var client = api.CreateClient();
        foreach (var (plural, body) in new[]
        {
            (StrimziNames.Kafkas, StrimziFiles.SampleKafka()),
            (StrimziNames.KafkaNodePools, StrimziFiles.SampleKafkaNodePool()),
            (StrimziNames.KafkaRebalances, StrimziFiles.SampleKafkaRebalance("kafka-rebalance-remove-brokers.yaml")),
        })
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, StrimziNames.Group, StrimziNames.Version, "kafka", plural);
        }

        var pool = api.Store.Get(StrimziFiles.NodePoolKey("kafka", "broker"));
        Assert.Equal(3, (int)pool["spec"]!["replicas"]!);
        Assert.Equal("persistent-claim", (string?)pool["spec"]!["storage"]!["volumes"]![0]!["type"]);
        var rebalance = api.Store.Get(StrimziFiles.RebalanceKey("kafka", "my-rebalance"));
        Assert.Equal("remove-brokers", (string?)rebalance["spec"]!["mode"]);
    }

    [Fact]
    public async Task A_node_pool_with_negative_replicas_or_an_unknown_role_is_invalid()
    {
        await using var api = await new KubernetesApiDouble { Rbac = null }.WithStrimziCrds().StartAsync();
        var client = api.CreateClient();
        var pool = StrimziFiles.SampleKafkaNodePool();
        pool["spec"]!["replicas"] = -1;
        pool["spec"]!["roles"] = new JsonArray("broker", "zookeeper");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.CreateNamespacedCustomObjectAsync(pool, StrimziNames.Group, StrimziNames.Version, "kafka", StrimziNames.KafkaNodePools));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.replicas", error.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.roles[1]", error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_status_of_a_node_pool_is_written_only_through_its_status_subresource()
    {
        await using var api = await new KubernetesApiDouble { Rbac = null }.WithStrimziCrds().StartAsync();
        var key = StrimziFiles.NodePoolKey("kafka", "broker");
        var sample = StrimziFiles.SampleKafkaNodePool();
        sample["status"] = new JsonObject { ["replicas"] = 3 };
        api.Store.Create(key, sample);

        Assert.Null(api.Store.Get(key)["status"]);
        api.Store.Update(key, p => p["status"] = new JsonObject { ["replicas"] = 3, ["nodeIds"] = new JsonArray(0, 1, 2) }, CustomObjectStore.Scope.Status);
        Assert.Equal(3, (int)api.Store.Get(key)["status"]!["replicas"]!);
    }
}
