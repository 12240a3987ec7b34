using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The patch the executor logs is the request it sends, byte for byte, and it shows only the broker it changed: other
/// brokers' settings (JAAS passwords in readOnlyConfig or envs) stay out of the request and the log.
/// </summary>
public sealed class PatchLogIntegrationTest
{
    private const string Secret = "s3cr3t-jaas";
    private const string Pvc1 = "kafka-1-storage-0-x7k2p";

    public static TheoryData<ScaleCommandKind, int?, string?> Commands() => new()
    {
        { ScaleCommandKind.UpScale, null, null },
        { ScaleCommandKind.DownScale, 1, null },
        { ScaleCommandKind.AddPvc, null, Pvc1 },
        { ScaleCommandKind.ResizePvc, null, Pvc1 },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_request_sent_is_a_json_patch_whose_body_is_the_logged_patch(ScaleCommandKind kind, int? brokerId, string? pvc)
    {
        await using var harness = await ExecutorHarness.StartAsync(cluster: WithSecretsOnOtherBrokers);
        var parameters = kind == ScaleCommandKind.UpScale ? new ScaleParameters { BrokerConfigGroup = "default" } : new ScaleParameters { DiskSize = "50Gi", IncrementBy = "10Gi" };

        await harness.HandleAsync(harness.Command(kind, parameters, new ScaleTarget(brokerId, pvc)));

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        var write = Assert.Single(harness.Writes);
        Assert.Equal(("PATCH", ObjectPatches.JsonPatch), (write.Method, write.ContentType?.Split(';')[0]));
        var logged = Assert.Single(harness.Logs.Entries, e => e.EventId.Id == 1101)["Patch"];
        Assert.Equal(logged, write.Body);
        Assert.Equal("replace", (string?)JsonNode.Parse(write.Body)![0]!["op"]);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, write.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", 1102)]
    [InlineData("false", 1101)]
    public async Task Removing_a_middle_broker_logs_one_remove_and_no_other_brokers_settings(string dryRun, int eventId)
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:DryRun"] = dryRun, cluster: WithSecretsOnOtherBrokers);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 1)));

        var patch = JsonNode.Parse(Assert.Single(harness.Logs.Entries, e => e.EventId.Id == eventId)["Patch"]!)!.AsArray();
        var specChange = Assert.Single(patch, o => ((string?)o!["path"])!.StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal("{\"op\":\"remove\",\"path\":\"/spec/brokers/1\"}", specChange!.ToJsonString());
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains(Secret, StringComparison.Ordinal));
        Assert.Equal(dryRun == "true" ? 0 : 1, harness.Writes.Count);
    }

    /// <summary>Brokers 0 and 2 carry a JAAS password in readOnlyConfig and in brokerConfig.envs; broker 1 none.</summary>
    private static void WithSecretsOnOtherBrokers(JsonObject cluster)
    {
        foreach (var id in new[] { 0, 2 })
        {
            var broker = cluster["spec"]!["brokers"]![id]!;
            broker["readOnlyConfig"] = $"listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"{Secret}\";";
            broker["brokerConfig"] = new JsonObject { ["envs"] = new JsonArray(new JsonObject { ["name"] = "KAFKA_JAAS_PASSWORD", ["value"] = Secret }) };
        }
    }
}
