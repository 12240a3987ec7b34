using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Testing.Kubernetes;

/// <summary>The Kubernetes API double answers KubernetesClient the way an API server does.</summary>
public sealed class KubernetesApiDoubleIntegrationTest : IAsyncLifetime
{
    private const string Group = KoperatorFiles.Group;
    private const string Version = KoperatorFiles.Version;
    private const string Plural = KoperatorFiles.KafkaClusters;

    // The double's API semantics, including calls the app never makes (list, patch, /status): RBAC off on purpose.
    // Its RBAC is tested in KubernetesRbacIntegrationTest.
    private readonly KubernetesApiDouble api = new() { Rbac = null };
    private IKubernetes client = null!;

    public async Task InitializeAsync()
    {
        api.SeedKafkaCluster();
        await api.StartAsync();
        client = api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task Serves_the_seeded_sample_with_identity_and_a_running_status()
    {
        var cluster = await GetAsync();

        Assert.Equal("KafkaCluster", (string?)cluster["kind"]);
        Assert.Equal("kafka", (string?)cluster["metadata"]!["namespace"]);
        Assert.False(string.IsNullOrEmpty((string?)cluster["metadata"]!["resourceVersion"]));
        Assert.Equal("ClusterRunning", (string?)cluster["status"]!["state"]);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(cluster));
        var list = ToNode(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Version, "kafka", Plural));
        Assert.Equal("KafkaClusterList", (string?)list["kind"]);
        Assert.Single(list["items"]!.AsArray());
    }

    [Fact]
    public async Task A_spec_change_bumps_resourceVersion_and_generation_an_annotation_change_only_resourceVersion()
    {
        var before = await GetAsync();
        var generation = (long)before["metadata"]!["generation"]!;

        before["metadata"]!["annotations"] = new JsonObject { ["example.com/note"] = "x" };
        var annotated = await ReplaceAsync(before);
        Assert.NotEqual((string?)before["metadata"]!["resourceVersion"], (string?)annotated["metadata"]!["resourceVersion"]);
        Assert.Equal(generation, (long)annotated["metadata"]!["generation"]!);

        annotated["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 3, ["brokerConfigGroup"] = "default" });
        var scaled = await ReplaceAsync(annotated);
        Assert.Equal(generation + 1, (long)scaled["metadata"]!["generation"]!);

        var unchanged = await ReplaceAsync(scaled);
        Assert.Equal((string?)scaled["metadata"]!["resourceVersion"], (string?)unchanged["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task A_stale_resourceVersion_is_a_409_Conflict_Status()
    {
        var first = await GetAsync();
        var second = await GetAsync();
        first["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 3 });
        await ReplaceAsync(first);

        second["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 4 });
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(second));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(api.GetKafkaCluster()));
    }

    [Fact]
    public async Task A_missing_object_is_a_404_NotFound_Status()
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "kafka", Plural, "nope"));

        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
        Assert.Equal("NotFound", JsonSerializer.Deserialize<V1Status>(error.Response.Content)!.Reason);
    }

    [Fact]
    public async Task Forbids_what_a_test_forbids()
    {
        api.Faults.Forbid("PUT");
        var cluster = await GetAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        Assert.Equal(HttpStatusCode.Forbidden, error.Response.StatusCode);
        Assert.Equal("Forbidden", JsonSerializer.Deserialize<V1Status>(error.Response.Content)!.Reason);
    }

    [Theory]
    [InlineData("id", -1)]
    [InlineData("id", 65535)]
    public async Task An_object_the_CRD_schema_rejects_is_a_422_Invalid_Status(string field, int value)
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { [field] = value });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains(status.Details.Causes, c => c.Field == "spec.brokers[3].id" && c.Reason == "FieldValueInvalid");
    }

    [Fact]
    public async Task A_put_without_resourceVersion_is_a_422_as_the_api_server_answers_for_custom_resources()
    {
        var cluster = await GetAsync();
        cluster["metadata"]!.AsObject().Remove("resourceVersion");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        Assert.Equal(("Invalid", "kafkaclusters.kafka.banzaicloud.io \"kafka\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"),
            (status.Reason, status.Message));
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal(("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update"), (cause.Reason, cause.Field, cause.Message));
        Assert.Equal(("kafkaclusters", "kafka.banzaicloud.io"), (status.Details.Kind, status.Details.Group));
    }

    [Fact]
    public async Task A_missing_required_field_is_FieldValueRequired_at_its_real_path()
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["brokerConfigGroup"] = "default" });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal(("FieldValueRequired", "spec.brokers[3].id", "Required value"), (cause.Reason, cause.Field, cause.Message));
        Assert.Equal("KafkaCluster.kafka.banzaicloud.io \"kafka\" is invalid: spec.brokers[3].id: Required value", status.Message);
    }

    [Fact]
    public async Task A_duplicate_key_in_a_list_map_of_the_crd_is_a_FieldValueDuplicate()
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]![0]!["brokerConfig"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "sidecar",
                ["ports"] = new JsonArray(
                    new JsonObject { ["containerPort"] = 9020, ["protocol"] = "TCP" },
                    new JsonObject { ["containerPort"] = 9020, ["protocol"] = "TCP", ["name"] = "again" }),
            }),
        };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        var status = JsonSerializer.Deserialize<V1Status>(error.Response.Content)!;
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal(("FieldValueDuplicate", "spec.brokers[0].brokerConfig.containers[0].ports[1]"), (cause.Reason, cause.Field));
        Assert.Equal("Duplicate value: map[string]interface {}{\"containerPort\":9020, \"protocol\":\"TCP\"}", cause.Message);
    }

    [Fact]
    public async Task A_storage_size_that_is_not_a_quantity_is_rejected()
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokerConfigGroups"]!["default"]!["storageConfigs"]![0]!["pvcSpec"]!["resources"]!["requests"]!["storage"] = "10 GB";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
    }

    [Fact]
    public async Task A_missing_required_field_is_rejected()
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["brokerConfigGroup"] = "default" });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => ReplaceAsync(cluster));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_and_rejected_under_strict_field_validation()
    {
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]![0]!["colour"] = "blue";

        var pruned = await ReplaceAsync(cluster);
        Assert.Null(pruned["spec"]!["brokers"]![0]!["colour"]);

        var strict = await GetAsync();
        strict["spec"]!["brokers"]![0]!["colour"] = "blue";
        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ReplaceNamespacedCustomObjectAsync(strict, Group, Version, "kafka", Plural, "kafka", fieldValidation: "Strict"));
        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
    }

    [Fact]
    public async Task The_main_resource_ignores_status_and_the_status_subresource_changes_only_status()
    {
        var cluster = await GetAsync();
        cluster["status"]!["state"] = "ClusterReconciling";
        cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 3 });
        var replaced = await ReplaceAsync(cluster);
        Assert.Equal("ClusterRunning", (string?)replaced["status"]!["state"]);

        replaced["status"]!["state"] = "ClusterReconciling";
        replaced["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 4 });
        var statusOnly = ToNode(await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(replaced, Group, Version, "kafka", Plural, "kafka"));
        Assert.Equal("ClusterReconciling", (string?)statusOnly["status"]!["state"]);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(statusOnly));
    }

    [Fact]
    public async Task Records_requests_with_their_headers_and_rejects_a_wrong_bearer_token()
    {
        api.Authorize = token => token == "good";
        using var bad = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.BaseUri.ToString(), AccessToken = "bad" });
        using var good = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.BaseUri.ToString(), AccessToken = "good" });

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            bad.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "kafka", Plural, "kafka"));
        await good.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "kafka", Plural, "kafka");

        Assert.Equal(HttpStatusCode.Unauthorized, error.Response.StatusCode);
        Assert.Equal(["bad", "good"], api.Requests.Select(r => r.BearerToken));
    }

    [Fact]
    public async Task A_held_request_waits_until_released()
    {
        var hold = api.Faults.Hold("PUT");
        var cluster = await GetAsync();
        cluster["spec"]!["brokers"]!.AsArray().Add(new JsonObject { ["id"] = 3 });

        var put = ReplaceAsync(cluster);
        await hold.Reached;
        Assert.False(put.IsCompleted);
        api.Store.Update(ObjectKey.KafkaCluster("kafka", "kafka"), c => c["metadata"]!["annotations"] = new JsonObject { ["example.com/x"] = "y" });
        hold.Release();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => put);
        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
    }

    private async Task<JsonObject> GetAsync() =>
        ToNode(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "kafka", Plural, "kafka"));

    private async Task<JsonObject> ReplaceAsync(JsonObject cluster) =>
        ToNode(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(cluster, Group, Version, "kafka", Plural, "kafka"));

    private static JsonObject ToNode(object response) =>
        JsonSerializer.SerializeToNode(response)!.AsObject();
}
