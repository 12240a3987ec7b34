using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// Property: whatever sequence of commands, replays, operator status changes and clock jumps arrives, the broker count
/// stays within [MinBrokers, MaxBrokers], each write is one Applied decision, and the stored object always passes the
/// CRD schema (the double answers 422 otherwise, which would show up as RejectedByApiServer).
/// </summary>
public sealed class BrokerCountPropertyIntegrationTest
{
    private const int Min = 3;
    private const int Max = 6;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task No_sequence_of_commands_leaves_the_broker_range_or_the_schema(int seed)
    {
        var random = new Random(seed);
        await using var harness = await ExecutorHarness.StartAsync(s =>
        {
            s["Clusters:0:MinBrokers"] = $"{Min}";
            s["Clusters:0:MaxBrokers"] = $"{Max}";
            s["Executor:MaxDiskSize"] = "40Gi";
        });
        var sent = new List<ScaleCommand>();

        for (var step = 0; step < 50; step++)
        {
            var command = random.Next(10) switch
            {
                < 3 => harness.Command(ScaleCommandKind.UpScale, UpScaleParameters(random)),
                < 6 => harness.Command(ScaleCommandKind.DownScale, target: random.Next(2) == 0 ? ScaleTarget.Cluster : new ScaleTarget(BrokerId: random.Next(8))),
                < 8 => harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = Pick(random, "5Gi", "20Gi", "-1Gi", "0") }, PvcOf(random)),
                _ => harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = Pick(random, "10Gi", "100Gi"), StorageClass = "standard" }, PvcOf(random)),
            };
            if (sent.Count > 0 && random.Next(5) == 0)
            {
                command = sent[random.Next(sent.Count)];
            }

            sent.Add(command);
            await harness.HandleAsync(command);
            Churn(harness, random);
            harness.Time.Advance(TimeSpan.FromMinutes(random.Next(0, 45)));

            var cluster = harness.Cluster;
            var brokers = KafkaClusterFixture.BrokerIds(cluster).Count;
            Assert.InRange(brokers, Min, Max);
            Assert.Empty(KoperatorFiles.KafkaCluster.Validate(cluster));
        }

        var decisions = harness.Decisions;
        Assert.DoesNotContain(decisions, d => d["Reason"]!.StartsWith(ReasonCodes.RejectedByApiServer, StringComparison.Ordinal));
        Assert.Equal(decisions.Count(d => d["Reason"]!.StartsWith(ReasonCodes.Applied, StringComparison.Ordinal)), harness.Writes.Count);
        Assert.Contains(decisions, d => d["Outcome"] == "Acted");
        Assert.Contains(decisions, d => d["Outcome"] != "Acted");
    }

    private static ScaleParameters UpScaleParameters(Random random) => random.Next(3) switch
    {
        0 => new ScaleParameters { BrokerConfigGroup = "default" },
        1 => new ScaleParameters { DiskSize = Pick(random, "10Gi", "30Gi", "80Gi"), StorageClass = "standard" },
        _ => new ScaleParameters(),
    };

    private static ScaleTarget PvcOf(Random random) =>
        new(PersistentVolumeClaim: $"kafka-{random.Next(6)}-storage-{random.Next(2)}-{Pick(random, "abcde", "x7k2p")}");

    private static void Churn(ExecutorHarness harness, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                harness.Api.SetClusterStatus("kafka", "kafka", Pick(random, "ClusterRunning", "ClusterReconciling"));
                break;
            case 1:
                harness.Api.SetClusterStatus("kafka", "kafka", "ClusterRunning", Pick(random, "GracefulUpscaleRequired", "GracefulDownscaleRunning", "GracefulUpscaleSucceeded"));
                break;
            default:
                harness.Api.SetClusterStatus("kafka", "kafka", "ClusterRunning");
                break;
        }
    }

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];
}
