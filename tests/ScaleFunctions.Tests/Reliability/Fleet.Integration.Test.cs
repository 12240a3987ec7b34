using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
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
/// A fleet: 100 managed clusters, each hit by a burst of 100 upScale alerts, delivered twice (an HA peer's duplicate),
/// through the local host's intake, queue and executor against the Kubernetes double: exactly 100 actions, one per
/// cluster. Prints the time from the first POST to the last write and the executor's throughput (figures, not asserted).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FleetIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Clusters = 100;
    private const int AlertsPerCluster = 100;

    [Fact]
    public async Task A_burst_of_100_alerts_on_each_of_100_clusters_is_exactly_100_actions()
    {
        await using var api = new KubernetesApiDouble();
        var names = Enumerable.Range(0, Clusters).Select(i => $"kafka-{i:000}").ToList();
        foreach (var name in names)
        {
            api.SeedKafkaCluster(name: name);
        }

        await api.StartAsync();
        var writes = new ConcurrentQueue<(string Cluster, DateTimeOffset At)>();
        var known = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        api.Store.Committed += (key, stored) =>
        {
            var recent = stored["metadata"]?["annotations"]?["scalefunctions.io/recent-commands"]?.GetValue<string>() ?? "";
            if (known.TryGetValue(key.Name, out var before) ? before != recent : recent.Length > 0)
            {
                writes.Enqueue((key.Name, DateTimeOffset.UtcNow));
            }

            known[key.Name] = recent;
        };

        var watch = new DecisionWatch();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        for (var i = 0; i < Clusters; i++)
        {
            settings[$"Clusters:{i}:Namespace"] = "kafka";
            settings[$"Clusters:{i}:Name"] = names[i];
        }

        settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200";
        settings["Logging:Console:LogLevel:ScaleFunctions"] = "Warning"; // 200 decisions: keep the console quiet (the watch sees them all)
        await using var host = await LocalHostServer.StartAsync(settings, builder =>
        {
            builder.Logging.AddProvider(watch);
            builder.Services.RemoveAll<IKubernetes>();
            builder.Services.AddSingleton<IKubernetes>(_ => api.CreateClient());
        }, appExecutor: true);

        var bodies = names.Select(name => Webhooks.Firing([.. Enumerable.Range(0, AlertsPerCluster).Select(a => Webhooks.Alert(
            $"KafkaBrokerOverloaded{a}", fingerprint: Webhooks.Fingerprint($"{name}-{a}"), startsAt: DateTimeOffset.UtcNow.AddMinutes(-1),
            labels: new Dictionary<string, string> { ["kafka_cr"] = name }))])).ToList();
        var clock = Stopwatch.StartNew();
        var firstPost = DateTimeOffset.UtcNow;
        var accepted = 0;
        await Parallel.ForEachAsync(bodies.Concat(bodies), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (body, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("x-functions-key", TestCredentials.FunctionKey);
            using var response = await host.Client.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            using var summary = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            Assert.Equal(1, summary.RootElement.GetProperty("commands").GetArrayLength()); // 100 alerts coalesced into one upScale
            Interlocked.Increment(ref accepted);
        });
        var posted = clock.Elapsed;

        await watch.WhenAsync(d => d.Count(x => x.Stage == "executor") == 2 * Clusters, "every command decided", TimeSpan.FromMinutes(3));
        var decided = clock.Elapsed;
        var executor = watch.Decisions.Where(d => d.Stage == "executor").ToList();
        var lastWrite = writes.Max(w => w.At);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Clusters} clusters × {AlertsPerCluster} alerts, each webhook twice: {accepted} POSTs accepted in {posted.TotalSeconds:0.00} s; "
            + $"first POST → last write {(lastWrite - firstPost).TotalSeconds:0.00} s; all {executor.Count} commands decided after {decided.TotalSeconds:0.00} s "
            + $"(executor on the local host: {executor.Count / decided.TotalSeconds:0.0} commands/s, {writes.Count / (lastWrite - firstPost).TotalSeconds:0.0} writes/s)"));
        output.WriteLine("executor: " + string.Join(", ", executor.GroupBy(d => $"{d.Outcome} {d.Code}").Select(g => $"{g.Key} ×{g.Count()}")));

        Assert.Equal(Clusters, executor.Count(d => d.Outcome == "Acted"));
        Assert.Equal(Clusters, executor.Count(d => d.Code == "Replay"));
        Assert.Equal(Clusters, writes.Count);
        Assert.Equal(names.Order(), writes.Select(w => w.Cluster).Order()); // one write on each cluster
        Assert.All(names, name => Assert.Equal(4, KafkaClusterFixture.BrokerIds(api.GetKafkaCluster(name: name)).Count));
    }
}
