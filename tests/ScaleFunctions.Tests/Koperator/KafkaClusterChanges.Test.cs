using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Koperator;

/// <summary>
/// The patch a planned change records is exact (applied to the reading, as the API server applies it, it gives the
/// planned object), starts with the resourceVersion precondition, and names only what changed: other brokers'
/// settings never appear in it.
/// </summary>
public sealed class KafkaClusterChangesTest
{
    private const string Secret = "s3cr3t-jaas";
    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly ManagedClusterOptions Managed = new() { Namespace = "kafka", Name = "kafka", MinBrokers = 1, MaxBrokers = 6 };

    public static TheoryData<ScaleCommandKind, string?, int?> Commands() => new()
    {
        { ScaleCommandKind.UpScale, null, null },
        { ScaleCommandKind.DownScale, null, 1 },
        { ScaleCommandKind.AddPvc, "kafka-1-storage-0-x7k2p", null },
        { ScaleCommandKind.ResizePvc, "kafka-1-storage-0-x7k2p", null },
        { ScaleCommandKind.AddPvc, "kafka-0-storage-0-x7k2p", null },
        { ScaleCommandKind.ResizePvc, "kafka-0-storage-0-x7k2p", null },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_patch_applied_to_the_reading_is_the_planned_object_and_starts_with_the_precondition(ScaleCommandKind kind, string? pvc, int? brokerId)
    {
        var reading = Reading();

        var decision = Decide(reading, kind, pvc, brokerId);

        Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
        var patch = decision.Patch!;
        Assert.Equal("{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"4711\"}", patch[0]!.ToJsonString());
        var applied = ObjectPatches.ApplyJsonPatch(reading.Json, patch);
        Assert.True(JsonNode.DeepEquals(decision.Result!.Json, applied), patch.ToJsonString());
        Assert.DoesNotContain(Secret, patch.ToJsonString(), StringComparison.Ordinal);
        Assert.True(reading.Changes.IsEmpty);
    }

    [Fact]
    public void Removing_a_middle_broker_is_one_remove_at_its_position()
    {
        var decision = Decide(Reading(), ScaleCommandKind.DownScale, null, 1);

        var spec = decision.Patch!.Where(o => ((string)o!["path"]!).StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal("{\"op\":\"remove\",\"path\":\"/spec/brokers/1\"}", Assert.Single(spec)!.ToJsonString());
    }

    [Fact]
    public void A_new_broker_is_added_at_the_end_of_the_list()
    {
        var decision = Decide(Reading(), ScaleCommandKind.UpScale, null, null);

        var spec = Assert.Single(decision.Patch!, o => ((string)o!["path"]!).StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal("{\"op\":\"add\",\"path\":\"/spec/brokers/-\",\"value\":{\"id\":3,\"brokerConfigGroup\":\"default\"}}", spec!.ToJsonString());
    }

    [Fact]
    public void A_volume_change_names_only_that_brokers_storage_list()
    {
        // Broker 1 has no brokerConfig of its own: it gets one holding only the storage list.
        var onGroup = Decide(Reading(), ScaleCommandKind.ResizePvc, "kafka-1-storage-0-x7k2p", null);
        // Broker 0 has its own brokerConfig (with a password in envs): only its storage list is written.
        var ownConfig = Decide(Reading(), ScaleCommandKind.ResizePvc, "kafka-0-storage-0-x7k2p", null);

        var added = Assert.Single(onGroup.Patch!, o => ((string)o!["path"]!).StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal(("add", "/spec/brokers/1/brokerConfig"), ((string?)added!["op"], (string?)added["path"]));
        Assert.Equal(["storageConfigs"], added["value"]!.AsObject().Select(p => p.Key));
        Assert.Equal("20Gi", (string?)added["value"]!["storageConfigs"]![0]!["pvcSpec"]!["resources"]!["requests"]!["storage"]);
        var own = Assert.Single(ownConfig.Patch!, o => ((string)o!["path"]!).StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal(("add", "/spec/brokers/0/brokerConfig/storageConfigs"), ((string?)own!["op"], (string?)own["path"]));
        Assert.Equal("20Gi", (string?)own["value"]![0]!["pvcSpec"]!["resources"]!["requests"]!["storage"]);
    }

    [Fact]
    public void A_missing_annotation_map_is_added_whole_keys_are_escaped_and_an_unchanged_value_is_no_change()
    {
        var json = KoperatorFiles.SampleKafkaCluster();
        json["metadata"]!["resourceVersion"] = "1";
        var cluster = new KafkaClusterResource(json).Copy();

        cluster.SetAnnotation("scalefunctions.io/last-action", "a");
        cluster.SetAnnotation("scalefunctions.io/recent-commands", "[]");
        cluster.SetAnnotation("scalefunctions.io/recent-commands", "[]");
        cluster.SetAnnotation("scalefunctions.io/last-action", "b~c");

        var annotated = cluster.Copy();
        annotated.SetAnnotation("scalefunctions.io/last-action", "c");
        annotated.SetAnnotation("scalefunctions.io/recent-commands", "[]");
        annotated.SetAnnotation("example.com/new", "d");

        Assert.Equal(
            ["add /metadata/annotations {\"scalefunctions.io/last-action\":\"b~c\",\"scalefunctions.io/recent-commands\":\"[]\"}"],
            cluster.Changes.ToJson().Skip(1).Select(o => $"{o!["op"]} {o["path"]} {o["value"]!.ToJsonString()}"));
        Assert.Equal(
            [
                "replace /metadata/annotations/scalefunctions.io~1last-action \"c\"",
                "add /metadata/annotations/example.com~1new \"d\"",
            ],
            annotated.Changes.ToJson().Skip(1).Select(o => $"{o!["op"]} {o["path"]} {o["value"]!.ToJsonString()}"));
        Assert.Equal("/a~0b/c~1d", ResourcePatch.Pointer("a~b", "c/d"));
    }

    [Fact]
    public void A_reading_without_resourceVersion_cannot_be_patched()
    {
        var cluster = new KafkaClusterResource(KoperatorFiles.SampleKafkaCluster()).Copy();
        cluster.SetAnnotation("example.com/a", "1");

        Assert.Throws<InvalidOperationException>(() => cluster.Changes.ToJson());
    }

    /// <summary>
    /// The sample cluster as read from the API server (resourceVersion 4711, Running), with broker 0's and 2's JAAS
    /// passwords in readOnlyConfig and envs; every broker on the group's storage (one 10Gi volume at /kafka-logs).
    /// </summary>
    private static KafkaClusterResource Reading()
    {
        var json = KoperatorFiles.SampleKafkaCluster();
        json["metadata"]!["resourceVersion"] = "4711";
        json["status"] = new JsonObject { ["state"] = KafkaClusterResource.RunningState };
        foreach (var id in new[] { 0, 2 })
        {
            var broker = json["spec"]!["brokers"]![id]!;
            broker["readOnlyConfig"] = $"listener.name.sasl_ssl.plain.sasl.jaas.config=... password=\"{Secret}\";";
            broker["brokerConfig"] = new JsonObject { ["envs"] = new JsonArray(new JsonObject { ["name"] = "KAFKA_JAAS_PASSWORD", ["value"] = Secret }) };
        }

        return new KafkaClusterResource(json);
    }

    private static KoperatorDecision Decide(KafkaClusterResource reading, ScaleCommandKind kind, string? pvc, int? brokerId)
    {
        var options = new ExecutorOptions();
        var command = new ScaleCommand
        {
            IdempotencyKey = $"key-{kind}",
            Command = kind,
            Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
            Target = new ScaleTarget(brokerId, pvc),
            Parameters = kind == ScaleCommandKind.UpScale
                ? new ScaleParameters { BrokerConfigGroup = "default" }
                : new ScaleParameters { DiskSize = "50Gi", IncrementBy = "10Gi" },
            Alerts = [new AlertRef("fp", "KafkaAlert", Now.AddMinutes(-1))],
            CreatedAt = Now,
            ExpiresAt = Now.AddMinutes(15),
        };
        return KoperatorDecisions.Decide(options, command, Managed, reading, Now);
    }
}
