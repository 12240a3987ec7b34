using System.Diagnostics;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;
using Xunit.Abstractions;
using LocalHostProcess = ScaleFunctions.Tests.LocalHost.LocalHostProcessIntegrationTest.LocalHostProcess;

namespace ScaleFunctions.Tests.Reliability;

/// <summary>
/// The local host as <c>npm start</c> runs it, a process of its own, killed (SIGKILL) and started again while Koperator
/// drains the broker a downScale removed and the commands that came after it wait on the queue (deferred): after the
/// restart nothing is lost (every command ends in a decision) and nothing is done twice (the downScale is not redone,
/// two upScales add one broker). Decisions are read from the processes' logs, writes from the Kubernetes double.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class RestartsIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly string kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(kubeconfig);

    [Fact]
    public async Task Killed_while_a_downScale_drains_and_commands_are_deferred_the_restarted_app_loses_nothing_and_repeats_nothing()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        using var ledger = new ClusterLedger(api);
        await api.WriteKubeconfigAsync(kubeconfig, "restart-test-token");
        var queueName = AzuriteFixture.NewQueueName();
        var settings = new Dictionary<string, string?>();
        foreach (var (name, value) in LocalHostServer.Settings(azurite.ConnectionString, queueName))
        {
            settings[name.Replace('.', '_')] = value;
        }

        settings["AzureWebJobs_scale-commands_Disabled"] = "false";
        settings["Kubernetes:Mode"] = "KubeConfig";
        settings["Kubernetes:KubeConfigPath"] = kubeconfig;
        settings["Clusters:0:MinBrokers"] = "2";
        settings["Clusters:0:MaxBrokers"] = "5";
        settings["Executor:ScaleUpCooldown"] = "00:00:00";
        settings["Executor:ScaleDownCooldown"] = "00:00:00";
        settings["Executor:FlapWindow"] = "00:00:00";
        settings["Executor:SettleWindow"] = "00:00:00";
        settings["Executor:DeferralDelay"] = "00:00:10"; // the window in which every command waits invisible on the queue (and the app is killed)
        settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200";
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        var clock = Stopwatch.StartNew();

        var down = Command("restart-down", ScaleCommandKind.DownScale);
        var up1 = Command("restart-up-1", ScaleCommandKind.UpScale);
        var up2 = Command("restart-up-2", ScaleCommandKind.UpScale);
        List<Logged> before;
        using (var first = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            await first.LineAsync(l => l.Contains("Application started", StringComparison.Ordinal)).WaitAsync(Generous);
            await queue.SendMessageAsync(ScaleCommandCodec.Serialize(down));
            await first.LineAsync(l => Decision(l) is { Outcome: "Acted" } d && d.Key == down.IdempotencyKey).WaitAsync(Generous);

            // Koperator drains the removed broker (graceful downscale running): the app follows it by deferring.
            var removed = KafkaClusterFixture.BrokerIds(api.GetKafkaCluster());
            var draining = Enumerable.Range(0, 3).Except(removed).Single();
            api.SetBrokerState("kafka", "kafka", draining, "GracefulDownscaleRunning");
            await queue.SendMessageAsync(ScaleCommandCodec.Serialize(up1 with { CreatedAt = DateTimeOffset.UtcNow.AddSeconds(1) }));
            await queue.SendMessageAsync(ScaleCommandCodec.Serialize(up2 with { CreatedAt = DateTimeOffset.UtcNow.AddSeconds(1) }));
            foreach (var key in new[] { up1.IdempotencyKey, up2.IdempotencyKey })
            {
                await first.LineAsync(l => Decision(l) is { Outcome: "Deferred", Code: "GracefulActionPending" } d && d.Key == key).WaitAsync(Generous);
            }

            // Both originals completed: only the two deferred copies are on the queue, invisible. Kill now.
            await Eventually.UntilAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 2, "only the deferred copies on the queue", Generous);
            first.Signal("KILL");
            await first.Process.WaitForExitAsync().WaitAsync(Generous);
            before = Decisions(first);
        }

        // While no app runs, Koperator finishes the drain.
        api.UpdateStatus("kafka", "kafka", status => status["brokersState"]!.AsObject().Remove($"{Enumerable.Range(0, 3).Except(KafkaClusterFixture.BrokerIds(api.GetKafkaCluster())).Single()}"));

        List<Logged> after;
        using (var second = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            foreach (var key in new[] { up1.IdempotencyKey, up2.IdempotencyKey })
            {
                await second.LineAsync(l => Decision(l) is { Outcome: not "Deferred" } d && d.Key == key).WaitAsync(Generous);
            }

            await Eventually.UntilAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "an empty queue", Generous);
            after = Decisions(second);
        }

        output.WriteLine($"before the kill: {string.Join(", ", before)}");
        output.WriteLine($"after the restart: {string.Join(", ", after)}");
        output.WriteLine($"writes {ledger.WritesPerKey.Values.Sum()}; broker counts {string.Join(" → ", ledger.BrokerCounts)}; {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(["Acted"], before.Where(d => d.Key == down.IdempotencyKey).Select(d => d.Outcome));
        Assert.DoesNotContain(after, d => d.Key == down.IdempotencyKey); // the downScale is not redone
        var ups = after.Where(d => d.Key != down.IdempotencyKey).ToList();
        Assert.Equal(2, ups.Count); // each upScale decided once after the restart: none lost, none twice
        Assert.Single(ups, d => d.Outcome == "Acted");
        Assert.Single(ups, d => d.Code == "Superseded"); // two upScales asking for one more broker add one
        Assert.Equal(new Dictionary<string, int> { [down.IdempotencyKey] = 1, [ups.Single(d => d.Outcome == "Acted").Key] = 1 }, ledger.WritesPerKey);
        Assert.Equal([3, 2, 2, 2, 3], ledger.BrokerCounts); // the two status writes are Koperator's
    }

    private static ScaleCommand Command(string key, ScaleCommandKind kind)
    {
        var now = DateTimeOffset.UtcNow;
        return new ScaleCommand
        {
            IdempotencyKey = key,
            Command = kind,
            Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
            Alerts = [new AlertRef($"fp-{key}", "KafkaLoad", now.AddMinutes(-1))],
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(10),
        };
    }

    private sealed record Logged(string Outcome, string Code, string Command, string Key)
    {
        public override string ToString() => $"{Command} {Outcome} {Code} ({Key})";
    }

    private static List<Logged> Decisions(LocalHostProcess process) =>
        [.. process.Output.Select(Decision).OfType<Logged>()];

    private static Logged? Decision(string line) =>
        DecisionLine().Match(line) is { Success: true } m ? new Logged(m.Groups["outcome"].Value, m.Groups["code"].Value, m.Groups["command"].Value, m.Groups["key"].Value) : null;

    [GeneratedRegex(@"Decision executor (?<outcome>\w+) (?<code>\w+): cluster kafka/kafka, command (?<command>\w+), fingerprints [^,]*, key (?<key>[\w-]+):")]
    private static partial Regex DecisionLine();
}
