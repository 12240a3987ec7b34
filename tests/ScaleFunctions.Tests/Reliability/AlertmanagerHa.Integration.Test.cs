using System.Globalization;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;
using Xunit.Abstractions;

namespace ScaleFunctions.Tests.Reliability;

/// <summary>
/// Two real Alertmanagers in cluster mode (gossip on loopback), both with the app's webhook, fed the same alerts —
/// with a peer timeout so short that the second peer sends before the first one's notification log reaches it, as
/// when gossip is slow: both deliver every notification. The app (local host, queue trigger, executor, the Kubernetes
/// double) acts once per change of the alert group and records each duplicate as a Replay.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertmanagerHaIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly string directory = Directory.CreateTempSubdirectory("alertmanager-ha-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Both_peers_deliver_every_change_the_app_acts_once_per_change_and_records_the_duplicates_as_replays()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        using var ledger = new ClusterLedger(api);
        var watch = new DecisionWatch();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        settings["Clusters:0:MinBrokers"] = "3";
        settings["Clusters:0:MaxBrokers"] = "6";
        settings["Executor:ScaleUpCooldown"] = "00:00:00";
        settings["Executor:SettleWindow"] = "00:00:00";
        settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200";
        await using var host = await LocalHostServer.StartAsync(settings, builder =>
        {
            builder.Logging.AddProvider(watch);
            builder.Services.RemoveAll<IKubernetes>();
            builder.Services.AddSingleton<IKubernetes>(_ => api.CreateClient());
        }, appExecutor: true);

        var config = $$"""
            route:
              receiver: scalefunctions
              group_by: [namespace, kafka_cr]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: scalefunctions
                webhook_configs:
                  - url: {{host.BaseAddress.ToString().TrimEnd('/')}}/api/alerts?code={{TestCredentials.FunctionKey}}
                    send_resolved: true
            """;
        var (portA, portB) = (ClosedPort.Next(), ClosedPort.Next());
        await using var peerA = await AlertmanagerProcess.StartPeerAsync(config, Directory.CreateDirectory(Path.Combine(directory, "a")).FullName, portA, [portB], TimeSpan.FromMilliseconds(1));
        await using var peerB = await AlertmanagerProcess.StartPeerAsync(config, Directory.CreateDirectory(Path.Combine(directory, "b")).FullName, portB, [portA], TimeSpan.FromMilliseconds(1));
        AlertmanagerProcess[] peers = [peerA, peerB];
        await Eventually.UntilAsync(async () =>
        {
            foreach (var peer in peers)
            {
                if (await peer.ClusterAsync() is not ("ready", 2))
                {
                    return false;
                }
            }

            return true;
        }, "the two Alertmanagers to form a settled cluster", Generous);

        // Change 1: the alert fires. Change 2: it resolves. Change 3: it fires again (a new episode).
        var first = DateTimeOffset.UtcNow;
        await PostToBothAsync(peers, Alert(first, endsAt: null));
        await watch.WhenAsync(d => Acted(d) == 1, "the first action", Generous);
        await PostToBothAsync(peers, Alert(first, endsAt: DateTimeOffset.UtcNow));
        await watch.WhenAsync(d => d.Any(x => x.Stage == "intake" && x.Code == "Resolved"), "the resolution", Generous);
        await PostToBothAsync(peers, Alert(DateTimeOffset.UtcNow, endsAt: null));
        await watch.WhenAsync(d => Acted(d) == 2, "the second action", Generous);

        // Every notification the peers sent has reached the app, and every command it enqueued has been decided.
        await Eventually.UntilAsync(async () =>
        {
            var sent = 0.0;
            foreach (var peer in peers)
            {
                sent += await peer.CounterAsync("alertmanager_notifications_total", "integration=\"webhook\"");
            }

            var decisions = watch.Decisions;
            var received = decisions.Count(d => d.Stage == "intake" && d.Cluster == "kafka/kafka");
            var enqueued = decisions.Count(d => d.Stage == "intake" && d.Code == "Enqueued");
            return sent == received && enqueued == decisions.Count(d => d.Stage == "executor");
        }, "every notification delivered and every command decided", Generous);

        var all = watch.Decisions;
        var executor = all.Where(d => d.Stage == "executor").ToList();
        var perPeer = new List<double>();
        foreach (var peer in peers)
        {
            perPeer.Add(await peer.CounterAsync("alertmanager_notifications_total", "integration=\"webhook\""));
            Assert.Equal(0, await peer.CounterAsync("alertmanager_notifications_failed_total", "integration=\"webhook\""));
        }

        output.WriteLine($"notifications sent per peer: {string.Join(", ", perPeer.Select(n => n.ToString(CultureInfo.InvariantCulture)))}; "
            + $"intake: {string.Join(", ", all.Where(d => d.Stage == "intake").GroupBy(d => d.Code).Select(g => $"{g.Key} ×{g.Count()}"))}; "
            + $"executor: {string.Join(", ", executor.GroupBy(d => $"{d.Outcome} {d.Code}").Select(g => $"{g.Key} ×{g.Count()}"))}; "
            + $"writes {ledger.WritesPerKey.Values.Sum()}; broker counts {string.Join(" → ", ledger.BrokerCounts)}");

        var keys = executor.Select(d => d.Key).Distinct().ToList();
        Assert.Equal(2, keys.Count); // one command per firing change, whichever peer delivered it
        foreach (var key in keys)
        {
            var decided = executor.Where(d => d.Key == key).ToList();
            Assert.Equal("Acted", decided[0].Outcome);
            // A duplicate is a Replay; one that a slow peer delivers only after the resolution was recorded is
            // dropped before the cluster is read (Cancelled). Either way it writes nothing.
            Assert.All(decided.Skip(1), d => Assert.True(d is { Outcome: "Ignored", Code: "Replay" or "Cancelled" }, d.ToString()));
            Assert.Equal(1, ledger.WritesPerKey.GetValueOrDefault(key));
        }

        Assert.Equal([3, 4, 5], ledger.BrokerCounts);
        Assert.True(executor.Count(d => d.Code == "Replay") >= 1, "no duplicate reached the executor: the peers deduplicated after all");
    }

    private static int Acted(IReadOnlyList<LoggedDecision> decisions) => decisions.Count(d => d.Stage == "executor" && d.Outcome == "Acted");

    private static async Task PostToBothAsync(IEnumerable<AlertmanagerProcess> peers, object alert)
    {
        foreach (var peer in peers)
        {
            await peer.PostAlertsAsync([alert]);
        }
    }

    private static object Alert(DateTimeOffset startsAt, DateTimeOffset? endsAt)
    {
        var alert = new Dictionary<string, object>
        {
            ["labels"] = new Dictionary<string, string> { ["alertname"] = "KafkaBrokerOverloaded", ["namespace"] = "kafka", ["kafka_cr"] = "kafka" },
            ["annotations"] = new Dictionary<string, string> { ["command"] = "upScale" },
            ["startsAt"] = startsAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        if (endsAt is { } end)
        {
            alert["endsAt"] = end.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        }

        return alert;
    }
}
