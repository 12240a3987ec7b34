using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

public sealed class UpScaleIntegrationTest
{
    [Fact]
    public async Task Adds_one_broker_in_the_named_group_with_the_guard_annotations_in_the_same_write()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var before = harness.Cluster;

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }, key: "k-up"));

        var after = harness.Cluster;
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(after));
        Assert.Equal("default", (string?)after["spec"]!["brokers"]![3]!["brokerConfigGroup"]);
        var write = Assert.Single(harness.Writes);
        Assert.Equal(("PATCH", "application/json-patch+json"), (write.Method, write.ContentType?.Split(';')[0]));
        Assert.Contains("fieldValidation=Strict", write.Query, StringComparison.Ordinal);
        var sent = JsonNode.Parse(write.Body)!.AsArray();
        Assert.Equal(["replace /metadata/resourceVersion", "add /spec/brokers/-", "add /metadata/annotations"], sent.Select(o => $"{o!["op"]} {o["path"]}"));
        Assert.Equal((string?)before["metadata"]!["resourceVersion"], (string?)sent[0]!["value"]);
        Assert.Contains("k-up", (string?)sent[2]!["value"]![GuardState.RecentCommandsAnnotation], StringComparison.Ordinal);
        Assert.Equal("2025-01-15T10:00:00Z", (string?)after["metadata"]!["annotations"]![GuardState.LastScaleUpAnnotation]);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.StartsWith("Applied: add broker 3", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Never_reuses_the_id_of_a_broker_the_operator_still_tracks()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.SetBrokerState("kafka", "kafka", 7, "GracefulDownscaleSucceeded");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));

        Assert.Equal([0, 1, 2, 8], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task Refuses_a_group_that_does_not_exist_and_writes_nothing()
    {
        await using var harness = await ExecutorHarness.StartAsync();

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "nope" }));

        Assert.Empty(harness.Writes);
        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.BrokerConfigGroupNotFound, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Builds_a_broker_config_from_the_command_that_the_CRD_accepts()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var parameters = new ScaleParameters
        {
            DiskSize = "20Gi",
            StorageClass = "managed-premium",
            Image = "ghcr.io/adobe/koperator/kafka:2.13-3.9.1",
            BrokerAnnotations = new Dictionary<string, string> { ["example.com/team"] = "data" },
        };

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, parameters));

        var broker = harness.Cluster["spec"]!["brokers"]![3]!.AsObject();
        Assert.Null(broker["brokerConfigGroup"]);
        var storage = broker["brokerConfig"]!["storageConfigs"]![0]!;
        Assert.Equal("/kafka-logs", (string?)storage["mountPath"]);
        Assert.Equal("ReadWriteOnce", (string?)storage["pvcSpec"]!["accessModes"]![0]);
        Assert.Equal("managed-premium", (string?)storage["pvcSpec"]!["storageClassName"]);
        Assert.Equal("20Gi", (string?)storage["pvcSpec"]!["resources"]!["requests"]!["storage"]);
        Assert.Equal(parameters.Image, (string?)broker["brokerConfig"]!["image"]);
        Assert.Equal("data", (string?)broker["brokerConfig"]!["brokerAnnotations"]!["example.com/team"]);
    }

    [Fact]
    public async Task Falls_back_to_the_default_group_and_refuses_when_there_is_none()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));
        Assert.Equal("default", (string?)harness.Cluster["spec"]!["brokers"]![3]!["brokerConfigGroup"]);

        await using var strict = await ExecutorHarness.StartAsync(s => s["Executor:DefaultBrokerConfigGroup"] = "");
        await strict.HandleAsync(strict.Command(ScaleCommandKind.UpScale));
        Assert.Empty(strict.Writes);
        Assert.StartsWith(ReasonCodes.MissingParameter, strict.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_disk_above_the_configured_maximum()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:MaxDiskSize"] = "100Gi");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, new ScaleParameters { DiskSize = "200Gi" }));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.MaxDiskSize, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_above_MaxBrokers()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:MaxBrokers"] = "3");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Empty(harness.Writes);
        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.MaxBrokers, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Honours_Koperators_own_upScaleLimit()
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: c => c["spec"]!["alertManagerConfig"] = new JsonObject { ["upScaleLimit"] = 3 });

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.UpScaleLimit, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adds_exactly_one_broker_per_command()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var before = harness.Cluster;

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        var sent = JsonNode.Parse(Assert.Single(harness.Writes).Body)!.AsArray();
        var change = Assert.Single(sent, o => ((string)o!["path"]!).StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal("add", (string?)change!["op"]);
        Assert.Equal("/spec/brokers/-", (string?)change["path"]);
        Assert.Equal(3, (int?)change["value"]!["id"]);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(before));
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }
}
