using System.Text.Json.Nodes;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Tests.Execution;

/// <summary>The patch the executor logs shows only the broker it changed: other brokers' settings (JAAS passwords in readOnlyConfig or envs) stay out of the log.</summary>
public sealed class PatchLogIntegrationTest
{
    private const string Secret = "s3cr3t-jaas";

    [Theory]
    [InlineData("true", 1102)]
    [InlineData("false", 1101)]
    public async Task Removing_a_middle_broker_logs_one_remove_and_no_other_brokers_settings(string dryRun, int eventId)
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:DryRun"] = dryRun, cluster: c =>
        {
            var broker2 = c["spec"]!["brokers"]![2]!;
            broker2["readOnlyConfig"] = $"listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"{Secret}\";";
            broker2["brokerConfig"] = new JsonObject { ["envs"] = new JsonArray(new JsonObject { ["name"] = "KAFKA_JAAS_PASSWORD", ["value"] = Secret }) };
        });

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 1)));

        var patch = JsonNode.Parse(Assert.Single(harness.Logs.Entries, e => e.EventId.Id == eventId)["Patch"]!)!.AsArray();
        var specChange = Assert.Single(patch, o => ((string?)o!["path"])!.StartsWith("/spec/", StringComparison.Ordinal));
        Assert.Equal("{\"op\":\"remove\",\"path\":\"/spec/brokers/1\"}", specChange!.ToJsonString());
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Message.Contains(Secret, StringComparison.Ordinal));
    }
}
