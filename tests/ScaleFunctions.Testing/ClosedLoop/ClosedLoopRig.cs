using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>One broker-count change of the cluster's resource (KafkaCluster, or KafkaNodePool), as stored by the Kubernetes double.</summary>
public sealed record BrokerCountChange(TimeSpan At, int From, int To);

/// <summary>
/// The app in a closed loop with real Prometheus and real Alertmanager: the simulated exporter's metrics follow the
/// cluster in the Kubernetes double (<see cref="ILoopCluster"/>: a Koperator KafkaCluster, or a Strimzi node pool whose
/// simulated operator takes a step at every scrape); Prometheus scrapes them and evaluates the rules (Koperator's
/// <c>kafka-alerts.rules.yml</c>) every second; Alertmanager groups the alerts by cluster and posts them to the app's
/// intake (the local host, exactly as <c>npm start</c> builds it, on Azurite); the app's queue listener and executor
/// write the cluster's resource. <see cref="History"/> is every broker-count change the double stored.
/// </summary>
public sealed class ClosedLoopRig : IAsyncDisposable
{
    public const string FunctionKey = "closed-loop-test-function-key";
    private readonly Lock gate = new();
    private readonly List<BrokerCountChange> history = [];
    private readonly HashSet<string> fired = [];
    private readonly Dictionary<(string Name, DateTimeOffset ActiveAt), (string Command, TimeSpan ActiveAt)> episodes = [];
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;
    private readonly string directory = Directory.CreateTempSubdirectory("closed-loop-").FullName;
    private int lastCount;
    private WebApplication? app;

    private ClosedLoopRig(ILoopCluster cluster, KubernetesApiDouble api, SimulatedKafkaExporter exporter, QueueClient queue)
    {
        Cluster = cluster;
        Api = api;
        Exporter = exporter;
        Queue = queue;
    }

    public ILoopCluster Cluster { get; }

    public KubernetesApiDouble Api { get; }

    public SimulatedKafkaExporter Exporter { get; }

    public QueueClient Queue { get; }

    public PrometheusProcess Prometheus { get; private set; } = null!;

    public AlertmanagerProcess Alertmanager { get; private set; } = null!;

    public LogRecorder Log { get; } = new();

    /// <summary>Alert-to-action latency of every action in the run (printed by the tests, not asserted).</summary>
    public AlertToAction Latency { get; } = new();

    public IReadOnlyList<BrokerCountChange> History
    {
        get
        {
            lock (gate)
            {
                return [.. history];
            }
        }
    }

    /// <summary>The broker counts the cluster went through, starting with its first.</summary>
    public IReadOnlyList<int> Path
    {
        get
        {
            lock (gate)
            {
                return [history.Count == 0 ? lastCount : history[0].From, .. history.Select(h => h.To)];
            }
        }
    }

    /// <summary>Names of the alerts seen firing in Prometheus at some tick.</summary>
    public IReadOnlySet<string> Fired
    {
        get
        {
            lock (gate)
            {
                return fired.ToHashSet();
            }
        }
    }

    public TimeSpan Elapsed => DateTimeOffset.UtcNow - started;

    /// <summary>Rule file of the loop, checked by <c>promtool check rules</c> in the tests.</summary>
    public static string RulesFile => KoperatorLoopCluster.Rules;

    /// <summary>
    /// Starts the loop on a 3-broker KafkaCluster kafka/kafka. <paramref name="settings"/> are the app's settings on top
    /// of storage, queue, key and cluster (cooldowns, limits); the simulation starts at <paramref name="requestRate"/>.
    /// </summary>
    public static Task<ClosedLoopRig> StartAsync(string storageConnectionString, KafkaSimulation simulation, double requestRate, IDictionary<string, string?> settings) =>
        StartAsync(new KoperatorLoopCluster(), storageConnectionString, simulation, requestRate, settings);

    /// <summary>Starts the loop on <paramref name="cluster"/>, seeded with 3 brokers; otherwise as above.</summary>
    public static async Task<ClosedLoopRig> StartAsync(ILoopCluster cluster, string storageConnectionString, KafkaSimulation simulation, double requestRate, IDictionary<string, string?> settings)
    {
        var api = new KubernetesApiDouble();
        cluster.Seed(api);
        var queueName = $"closed-{Guid.NewGuid():N}"[..24];
        var exporter = new SimulatedKafkaExporter(cluster.Tick, simulation, cluster.SeriesLabels) { RequestRate = requestRate };
        var rig = new ClosedLoopRig(cluster, api, exporter, new QueueClient(storageConnectionString, queueName));
        try
        {
            rig.lastCount = cluster.SpecBrokers;
            api.Store.Committed += rig.OnCommitted;
            await api.StartAsync();
            await exporter.StartAsync();
            await rig.StartAppAsync(storageConnectionString, queueName, settings);
            rig.Alertmanager = await AlertmanagerProcess.StartAsync(rig.AlertmanagerConfig(), rig.directory);
            rig.Prometheus = await PrometheusProcess.StartAsync(
                rig.PrometheusConfig(),
                new Dictionary<string, string> { ["kafka-alerts.rules.yml"] = await File.ReadAllTextAsync(cluster.RulesFile) },
                rig.directory);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the next scrape (one tick of the simulation; Prometheus evaluates its rules at the same pace).</summary>
    public async Task<KafkaSimulationState> TickAsync()
    {
        try
        {
            return await Exporter.NextScrapeAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Prometheus did not scrape the simulated exporter for 30 s. Prometheus said:\n{Tail(Prometheus.Output)}", ex);
        }
    }

    /// <summary>
    /// Ticks until <paramref name="done"/> holds at a tick, or <paramref name="maxTicks"/> ticks have passed (then the
    /// scenario goes on and its assertions tell what happened). Returns whether it held.
    /// </summary>
    public async Task<bool> TickUntilAsync(Func<KafkaSimulationState, Task<bool>> done, int maxTicks)
    {
        for (var tick = 0; tick < maxTicks; tick++)
        {
            if (await done(await TickAsync()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Nothing can change the cluster any more: the simulation is at rest (no broker joining or leaving, nothing
    /// under-replicated, the operator steady), Prometheus holds no pending or firing alert, Alertmanager no active one,
    /// and the app's queue is empty (no command waiting, deferred or in flight) — for <paramref name="ticks"/> ticks in a row.
    /// </summary>
    public async Task<bool> QuietAsync(KafkaSimulationState state, int ticks, Counter quiet)
    {
        var alerts = await Prometheus.AlertsAsync();
        lock (gate)
        {
            foreach (var alert in alerts)
            {
                if (alert.State == "firing")
                {
                    fired.Add(alert.Name);
                }

                episodes.TryAdd((alert.Name, alert.ActiveAt), (alert.Annotations.GetValueOrDefault("command") ?? "", alert.ActiveAt - started));
            }
        }

        var now = !state.Moving && !state.UnderReplicated && Cluster.IsSteady
            && alerts.Count == 0
            && (await Alertmanager.GroupedAlertsAsync()).Count == 0
            && await QueueDepthAsync() == 0;
        quiet.Value = now ? quiet.Value + 1 : 0;
        return quiet.Value >= ticks;
    }

    public async Task<int> QueueDepthAsync() =>
        await Queue.ExistsAsync() ? (await Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;

    /// <summary>The executor's decisions (EventId 1000, stage executor): outcome and reason code, in order.</summary>
    public IReadOnlyList<(string Command, string Outcome, string Code)> Decisions() =>
        [.. Log.Entries
            .Where(e => e.EventId.Id == 1000 && e["Stage"] == "executor")
            .Select(e => (e["Command"] ?? "", e["Outcome"] ?? "", (e["Reason"] ?? "").Split(':')[0]))];

    /// <summary>
    /// Each change, when it happened, and how long after the latest alert of its direction became active (pending;
    /// it fires after the rule's `for:`): alert-to-action.
    /// </summary>
    public string Describe()
    {
        lock (gate)
        {
            return string.Join(", ", history.Select(h =>
            {
                var command = h.To > h.From ? "upScale" : "downScale";
                var cause = episodes.Where(e => e.Value.Command == command && e.Value.ActiveAt <= h.At).OrderBy(e => e.Value.ActiveAt).LastOrDefault();
                return $"{h.From}→{h.To} at {Seconds(h.At)}"
                    + (cause.Key.Name is null ? "" : $" ({Seconds(h.At - cause.Value.ActiveAt)} after {cause.Key.Name} became active)");
            }));
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public async ValueTask DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Alertmanager is not null)
        {
            await Alertmanager.DisposeAsync();
        }

        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Exporter.DisposeAsync();
        await Api.DisposeAsync();
        if (await Queue.ExistsAsync())
        {
            await Queue.DeleteAsync();
        }

        Directory.Delete(directory, recursive: true);
    }

    private void OnCommitted(ObjectKey key, JsonObject stored)
    {
        if (Cluster.BrokerCount(key, stored) is not { } count)
        {
            return;
        }

        Latency.Committed(stored);
        lock (gate)
        {
            if (count != lastCount)
            {
                history.Add(new BrokerCountChange(Elapsed, lastCount, count));
                lastCount = count;
            }
        }
    }

    private async Task StartAppAsync(string storageConnectionString, string queueName, IDictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["ScaleCommandQueue"] = queueName,
            ["Intake:ResolutionsTable"] = AzuriteFixture.NewTableName(),
            ["Auth:FunctionKey"] = FunctionKey,
            ["RebalanceSchedule"] = "0 */5 * * * *", // the WebJobs host indexes the timer even when it is switched off
            ["AzureWebJobs.rebalance-check.Disabled"] = "true",
            ["Logging:LogLevel:ScaleFunctions"] = "Debug",
        };
        foreach (var (name, value) in Cluster.Settings.Concat(settings))
        {
            all[name] = value;
        }

        app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(Log);
            builder.Logging.AddProvider(Latency);
            builder.Services.AddSingleton<IStartupFilter>(Latency);
            builder.Services.AddSingleton<IKubernetes>(_ => Api.CreateClient());
        }, useLocalSettings: false);
        await app.StartAsync();
    }

    private Uri AppAddress => new(app!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Like deploy/alertmanager/function-key-in-url.yml, time-compressed (the sample has 30 s / 5 m / 4 h).</summary>
    private string AlertmanagerConfig() => $$"""
        route:
          receiver: "null"
          routes:
            - receiver: scalefunctions
              matchers:
                - {{Cluster.ClusterLabel}}=~".+"
              group_by: [{{string.Join(", ", Cluster.GroupBy)}}]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1m
              continue: true
        receivers:
          - name: "null"
          - name: scalefunctions
            webhook_configs:
              - url: {{AppAddress.ToString().TrimEnd('/')}}/api/alerts?code={{FunctionKey}}
                send_resolved: true
        """;

    private string PrometheusConfig() => $$"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['{{Alertmanager.BaseAddress.Authority}}']
        rule_files: [kafka-alerts.rules.yml]
        scrape_configs:
          - job_name: kafka
            static_configs:
              - targets: ['{{Exporter.BaseAddress.Authority}}']
        """;

    /// <summary>A mutable count for <see cref="QuietAsync"/>: consecutive quiet ticks.</summary>
    public sealed class Counter
    {
        public int Value { get; set; }
    }
}
