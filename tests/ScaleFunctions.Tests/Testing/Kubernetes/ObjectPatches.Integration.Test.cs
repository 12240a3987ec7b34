using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Testing.Kubernetes;

/// <summary>
/// PATCH on the Kubernetes double as on the API server: JSON patch (RFC 6902) and merge patch applied to the object as
/// stored; a stale resourceVersion the patch sets is 409 Conflict, a patch that does not apply (failed test, missing
/// path) the bare 422 — checked before the resourceVersion —, and the result validated against the CRD schema.
/// </summary>
public sealed class ObjectPatchesIntegrationTest : IAsyncLifetime
{
    private const string Group = KoperatorFiles.Group;
    private const string Version = KoperatorFiles.Version;
    private const string Plural = KoperatorFiles.KafkaClusters;

    /// <summary>The API server's answer to a JSON patch that does not apply, whatever the reason.</summary>
    private const string NotApplied =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server rejected our request due to an error in our request\",\"reason\":\"Invalid\",\"details\":{},\"code\":422}";

    private readonly KubernetesApiDouble api = new() { Rbac = null };
    private IKubernetes client = null!;
    private string version = "";

    public async Task InitializeAsync()
    {
        api.SeedKafkaCluster();
        await api.StartAsync();
        client = api.CreateClient();
        version = (string)api.GetKafkaCluster()["metadata"]!["resourceVersion"]!;
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task A_json_patch_preconditioned_on_the_current_resourceVersion_applies_and_bumps_it()
    {
        var patched = await JsonPatchAsync(Precondition(version), AddBroker(3), "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a.io/b\":\"1\"}}");

        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(patched));
        Assert.Equal("1", (string?)patched["metadata"]!["annotations"]!["a.io/b"]);
        Assert.NotEqual(version, (string?)patched["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(patched, api.GetKafkaCluster()));
    }

    [Fact]
    public async Task A_stale_resourceVersion_in_a_json_patch_replace_is_the_api_servers_409_Conflict_and_changes_nothing()
    {
        var other = api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["metadata"]!["labels"]!["team"] = "streaming");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => JsonPatchAsync(Precondition(version), AddBroker(3)));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal((409, "Conflict", "Failure"), (status.Code, status.Reason, status.Status));
        Assert.Equal(
            "Operation cannot be fulfilled on kafkaclusters.kafka.banzaicloud.io \"kafka\": the object has been modified; please apply your changes to the latest version and try again",
            status.Message);
        Assert.Equal(("kafka", "kafka.banzaicloud.io", "kafkaclusters"), (status.Details.Name, status.Details.Group, status.Details.Kind));
        Assert.True(JsonNode.DeepEquals(other, api.GetKafkaCluster()));
    }

    [Fact]
    public async Task A_stale_resourceVersion_in_a_merge_patch_is_a_409_Conflict()
    {
        api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["metadata"]!["labels"]!["team"] = "streaming");
        var patch = new V1Patch($"{{\"metadata\":{{\"resourceVersion\":\"{version}\"}},\"spec\":{{\"brokers\":[]}}}}", V1Patch.PatchType.MergePatch);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, Group, Version, "kafka", Plural, "kafka"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(api.GetKafkaCluster()));
    }

    [Fact]
    public async Task A_failed_test_op_is_the_bare_422_and_changes_nothing()
    {
        var before = api.GetKafkaCluster();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => JsonPatchAsync(
            $"{{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"{version}0\"}}", AddBroker(3)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(NotApplied, error.Response.Content);
        Assert.True(JsonNode.DeepEquals(before, api.GetKafkaCluster()));
    }

    [Theory]
    [InlineData("{\"op\":\"remove\",\"path\":\"/spec/brokers/3\"}")]
    [InlineData("{\"op\":\"replace\",\"path\":\"/spec/nope\",\"value\":1}")]
    [InlineData("{\"op\":\"add\",\"path\":\"/spec/nope/deeper\",\"value\":1}")]
    [InlineData("{\"op\":\"remove\",\"path\":\"/spec/brokers/01\"}")]
    [InlineData("{\"op\":\"move\",\"path\":\"/spec/x\"}")]
    [InlineData("{\"op\":\"frobnicate\",\"path\":\"/spec\"}")]
    public async Task A_path_that_does_not_exist_or_an_op_that_cannot_apply_is_the_bare_422_even_with_a_stale_resourceVersion(string operation)
    {
        // The patch is applied before the resourceVersion it sets is compared: a lost race can answer 422, not 409.
        api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["metadata"]!["labels"]!["team"] = "streaming");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => JsonPatchAsync(Precondition(version), operation));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal(NotApplied, error.Response.Content);
    }

    [Fact]
    public async Task Replace_keeps_the_member_in_place_and_add_on_an_existing_member_replaces_it()
    {
        var patched = await JsonPatchAsync(
            Precondition(version),
            "{\"op\":\"replace\",\"path\":\"/spec/brokers/1/brokerConfigGroup\",\"value\":\"other\"}",
            "{\"op\":\"add\",\"path\":\"/spec/brokers/2/brokerConfigGroup\",\"value\":\"third\"}",
            "{\"op\":\"add\",\"path\":\"/spec/brokers/0\",\"value\":{\"id\":9,\"brokerConfigGroup\":\"default\"}}");

        var brokers = patched["spec"]!["brokers"]!.AsArray();
        Assert.Equal([9, 0, 1, 2], KafkaClusterFixture.BrokerIds(patched));
        Assert.Equal(["id", "brokerConfigGroup"], brokers[2]!.AsObject().Select(p => p.Key));
        Assert.Equal(("other", "third"), ((string?)brokers[2]!["brokerConfigGroup"], (string?)brokers[3]!["brokerConfigGroup"]));
    }

    [Fact]
    public async Task A_patch_whose_result_the_CRD_schema_rejects_is_a_422_Invalid_with_the_field_path()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => JsonPatchAsync(Precondition(version), AddBroker(65535)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains(status.Details.Causes, c => c.Field == "spec.brokers[3].id" && c.Reason == "FieldValueInvalid");
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(api.GetKafkaCluster()));
    }

    [Fact]
    public async Task An_unknown_field_in_the_patched_object_is_a_422_under_strict_field_validation_and_pruned_without()
    {
        var unknown = "{\"op\":\"add\",\"path\":\"/spec/brokers/0/nope\",\"value\":1}";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => JsonPatchWithAsync("Strict", Precondition(version), unknown));
        var pruned = await JsonPatchWithAsync(null, Precondition(version), unknown);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal("patch", Assert.Single(status.Details.Causes).Field);
        Assert.EndsWith("strict decoding error: unknown field \"spec.brokers[0].nope\"", status.Message, StringComparison.Ordinal);
        Assert.Null(pruned["spec"]!["brokers"]![0]!["nope"]);
    }

    [Fact]
    public async Task A_body_that_is_not_a_json_patch_array_is_a_400_and_an_unknown_patch_type_a_415()
    {
        using var http = new HttpClient();
        var uri = new Uri(api.BaseUri, $"apis/{Group}/{Version}/namespaces/kafka/{Plural}/kafka");

        using var notArray = await http.PatchAsync(uri, new StringContent("{\"op\":\"add\"}", null, ObjectPatches.JsonPatch));
        using var unknownType = await http.PatchAsync(uri, new StringContent("[]", null, "application/xml"));

        Assert.Equal(HttpStatusCode.BadRequest, notArray.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknownType.StatusCode);
    }

    private static string Precondition(string resourceVersion) =>
        $"{{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"{resourceVersion}\"}}";

    private static string AddBroker(int id) => $"{{\"op\":\"add\",\"path\":\"/spec/brokers/-\",\"value\":{{\"id\":{id},\"brokerConfigGroup\":\"default\"}}}}";

    private Task<JsonObject> JsonPatchAsync(params string[] operations) => JsonPatchWithAsync("Strict", operations);

    private async Task<JsonObject> JsonPatchWithAsync(string? fieldValidation, params string[] operations)
    {
        var patch = new V1Patch($"[{string.Join(",", operations)}]", V1Patch.PatchType.JsonPatch);
        var response = await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, Group, Version, "kafka", Plural, "kafka", fieldValidation: fieldValidation);
        return JsonSerializer.SerializeToNode(response)!.AsObject();
    }
}
