using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Kubernetes;

/// <summary>
/// The double's scale subresource of a CRD that declares one (Strimzi's KafkaNodePool), through KubernetesClient: an
/// autoscaling/v1 Scale read from the CRD's paths; writes change only spec.replicas, honour resourceVersion and the
/// schema; its own RBAC resource (<c>kafkanodepools/scale</c>).
/// </summary>
public sealed class ScaleSubresourceIntegrationTest
{
    private const string Ns = "kafka";
    private const string Selector = "strimzi.io/cluster=my-cluster,strimzi.io/name=my-cluster-kafka,strimzi.io/kind=Kafka,strimzi.io/pool-name=broker";
    private static readonly ObjectKey Pool = StrimziFiles.NodePoolKey(Ns, "broker");

    [Fact]
    public async Task A_node_pools_scale_is_the_API_servers_Scale_built_from_the_CRDs_paths()
    {
        await using var api = await StartAsync();
        var stored = api.Store.Get(Pool);

        var scale = await Client(api).CustomObjects.GetNamespacedCustomObjectScaleAsync<V1Scale>(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");

        Assert.Equal("autoscaling/v1", scale.ApiVersion);
        Assert.Equal("Scale", scale.Kind);
        Assert.Equal("broker", scale.Metadata.Name);
        Assert.Equal(Ns, scale.Metadata.NamespaceProperty);
        Assert.Equal((string?)stored["metadata"]!["uid"], scale.Metadata.Uid);
        Assert.Equal((string?)stored["metadata"]!["resourceVersion"], scale.Metadata.ResourceVersion);
        Assert.NotNull(scale.Metadata.CreationTimestamp);
        Assert.Null(scale.Metadata.Labels); // only name, namespace, uid, resourceVersion, creationTimestamp
        Assert.Equal(3, scale.Spec.Replicas);
        Assert.Equal(2, scale.Status.Replicas);
        Assert.Equal(Selector, scale.Status.Selector);
    }

    [Fact]
    public async Task Zero_spec_replicas_are_left_out_of_the_Scale_and_status_replicas_are_always_there()
    {
        await using var api = await StartAsync();
        api.Store.Update(Pool, p => p["spec"]!["replicas"] = 0);
        api.Store.Update(Pool, p => p.Remove("status"), CustomObjectStore.Scope.Status);
        using var http = new HttpClient();

        var body = JsonNode.Parse(await http.GetStringAsync(new Uri(api.BaseUri, $"apis/{StrimziNames.Group}/{StrimziNames.Version}/namespaces/{Ns}/{StrimziNames.KafkaNodePools}/broker/scale")))!;

        Assert.Equal("{}", body["spec"]!.ToJsonString());
        Assert.Equal("""{"replicas":0}""", body["status"]!.ToJsonString());
    }

    [Fact]
    public async Task Replacing_the_Scale_changes_only_spec_replicas_and_bumps_resourceVersion_and_generation()
    {
        await using var api = await StartAsync();
        var before = api.Store.Get(Pool);
        var client = Client(api);
        var scale = await client.CustomObjects.GetNamespacedCustomObjectScaleAsync<V1Scale>(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        scale.Spec.Replicas = 4;
        scale.Status.Replicas = 9; // ignored: a Scale write changes spec.replicas only
        scale.Metadata.Labels = new Dictionary<string, string> { ["ignored"] = "yes" };

        var answer = await client.CustomObjects.ReplaceNamespacedCustomObjectScaleAsync<V1Scale>(scale, StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");

        var after = api.Store.Get(Pool);
        Assert.Equal(4, after["spec"]!["replicas"]!.Deserialize<int>());
        Assert.Equal(4, answer.Spec.Replicas);
        Assert.Equal(2, answer.Status.Replicas);
        Assert.NotEqual((string?)before["metadata"]!["resourceVersion"], (string?)after["metadata"]!["resourceVersion"]);
        Assert.Equal((string?)after["metadata"]!["resourceVersion"], answer.Metadata.ResourceVersion);
        Assert.Equal(2L, (long)after["metadata"]!["generation"]!);
        after["spec"]!["replicas"] = 3;
        foreach (var part in new[] { "spec", "status" })
        {
            Assert.True(JsonNode.DeepEquals(before[part], after[part]), part);
        }

        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
    }

    [Fact]
    public async Task A_stale_resourceVersion_on_the_Scale_is_a_409_and_none_is_an_unconditional_update()
    {
        await using var api = await StartAsync();
        var client = Client(api);
        var scale = await client.CustomObjects.GetNamespacedCustomObjectScaleAsync<V1Scale>(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        api.Store.Update(Pool, p => p["metadata"]!["annotations"] = new JsonObject { ["someone"] = "else" });
        scale.Spec.Replicas = 5;

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ReplaceNamespacedCustomObjectScaleAsync(scale, StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker"));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Contains("the object has been modified", Message(stale), StringComparison.Ordinal);
        Assert.Equal(3, SpecReplicas(api));

        scale.Metadata.ResourceVersion = null;
        await client.CustomObjects.ReplaceNamespacedCustomObjectScaleAsync(scale, StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        Assert.Equal(5, SpecReplicas(api));
    }

    [Fact]
    public async Task Patching_the_Scale_with_a_merge_or_JSON_patch_sets_spec_replicas()
    {
        await using var api = await StartAsync();
        var client = Client(api);

        var merged = await client.CustomObjects.PatchNamespacedCustomObjectScaleAsync<V1Scale>(
            new V1Patch("""{"spec":{"replicas":6}}""", V1Patch.PatchType.MergePatch), StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        Assert.Equal(6, merged.Spec.Replicas);
        Assert.Equal(6, SpecReplicas(api));

        var rv = merged.Metadata.ResourceVersion;
        await client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch($$"""[{"op":"test","path":"/metadata/resourceVersion","value":"{{rv}}"},{"op":"replace","path":"/spec/replicas","value":2}]""", V1Patch.PatchType.JsonPatch),
            StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        Assert.Equal(2, SpecReplicas(api));

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{rv}}}"},"spec":{"replicas":7}}""", V1Patch.PatchType.MergePatch),
            StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker"));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        Assert.Equal(2, SpecReplicas(api));
    }

    [Fact]
    public async Task Negative_replicas_through_the_Scale_are_a_422_of_the_node_pool_and_change_nothing()
    {
        await using var api = await StartAsync();
        var before = api.Store.Get(Pool);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client(api).CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch("""{"spec":{"replicas":-1}}""", V1Patch.PatchType.MergePatch), StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("KafkaNodePool.kafka.strimzi.io \"broker\" is invalid", Message(error), StringComparison.Ordinal);
        Assert.Contains("spec.replicas: Invalid value: -1", Message(error), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(before, api.Store.Get(Pool)));
    }

    [Fact]
    public async Task A_resource_without_a_scale_subresource_or_a_missing_object_is_a_404()
    {
        await using var api = await StartAsync();
        api.Rbac = null;
        api.Store.Create(StrimziFiles.KafkaKey(Ns, "my-cluster"), StrimziFiles.SampleKafka());
        var client = Client(api);

        var noScale = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectScaleAsync(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.Kafkas, "my-cluster"));
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectScaleAsync(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "nope"));
        Assert.Equal(HttpStatusCode.NotFound, noScale.Response.StatusCode);
        Assert.Contains("kafkas.kafka.strimzi.io \"my-cluster\" not found", Message(noScale), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task The_scale_subresource_is_its_own_resource_for_RBAC()
    {
        await using var api = await StartAsync(new RbacRule("pools", Ns, [StrimziNames.Group], [StrimziNames.KafkaNodePools], [], ["get", "update", "patch"]));
        var client = Client(api);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectScaleAsync(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Contains("cannot get resource \"kafkanodepools/scale\" in API group \"kafka.strimzi.io\"", Message(refused), StringComparison.Ordinal);
        var asked = api.Authorizations[^1].Request;
        Assert.Equal(("get", "kafkanodepools", "scale", "broker"), (asked.Verb, asked.Resource, asked.Subresource, asked.Name));

        api.Rbac = RbacPolicy.Shipped("no-such-role").With(new RbacRule("scale", Ns, [StrimziNames.Group], ["kafkanodepools/scale"], [], ["get", "patch"]));
        await client.CustomObjects.PatchNamespacedCustomObjectScaleAsync(
            new V1Patch("""{"spec":{"replicas":4}}""", V1Patch.PatchType.MergePatch), StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker");
        Assert.Equal(4, SpecReplicas(api));
        var main = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectAsync(StrimziNames.Group, StrimziNames.Version, Ns, StrimziNames.KafkaNodePools, "broker"));
        Assert.Equal(HttpStatusCode.Forbidden, main.Response.StatusCode);
    }

    private static IKubernetes Client(KubernetesApiDouble api) => api.CreateClient();

    private static int SpecReplicas(KubernetesApiDouble api) => api.Store.Get(Pool)["spec"]!["replicas"]!.Deserialize<int>();

    private static string? Message(HttpOperationException error) => (string?)JsonNode.Parse(error.Response.Content)!["message"];

    private static async Task<KubernetesApiDouble> StartAsync(RbacRule? rule = null)
    {
        var api = new KubernetesApiDouble
        {
            Rbac = RbacPolicy.Shipped().With(rule ?? new RbacRule("pools", Ns, [StrimziNames.Group], [StrimziNames.KafkaNodePools, "kafkanodepools/scale"], [], ["get", "list", "update", "patch"])),
        }.WithStrimziCrds();
        api.Store.Create(Pool, StrimziFiles.SampleKafkaNodePool());
        api.Store.Update(Pool, p => p["status"] = new JsonObject
        {
            ["replicas"] = 2,
            ["nodeIds"] = new JsonArray(0, 1),
            ["labelSelector"] = Selector,
        }, CustomObjectStore.Scope.Status);
        return await api.StartAsync();
    }
}
