using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>How the simulated cluster reacts to a change of its broker list.</summary>
/// <param name="JoinDelay">A broker added to spec serves (takes load, holds partitions) this long after it is first seen.</param>
/// <param name="LeaveDelay">A broker removed from spec keeps serving this long (Koperator drains it) before it goes.</param>
/// <param name="UnderReplicatedFor">After a broker joins or leaves, the other brokers report under-replicated partitions this long (data movement).</param>
public sealed record KafkaSimulation(TimeSpan JoinDelay, TimeSpan LeaveDelay, TimeSpan UnderReplicatedFor)
{
    /// <summary>Partition replicas of the whole cluster, spread evenly over the serving brokers.</summary>
    public int PartitionReplicas { get; init; } = 900;
}

/// <summary>What the simulation looked like at one scrape.</summary>
public sealed record KafkaSimulationState(int Scrape, DateTimeOffset At, IReadOnlyList<int> Spec, IReadOnlyList<int> Serving, bool Moving, bool UnderReplicated, double RequestRate);

/// <summary>
/// A Kafka cluster's metrics, simulated, served in Prometheus text format on loopback Kestrel (<c>GET /metrics</c>):
/// per broker <c>kafka_network_requestmetrics_requests_total</c> (a counter: the cluster's request rate split over
/// the serving brokers), <c>kafka_server_replicamanager_partitioncount</c> and
/// <c>kafka_server_replicamanager_underreplicatedpartitions</c>, labelled by <paramref name="seriesLabels"/> (the
/// operator's: Koperator's <c>namespace</c>, <c>kafka_cr</c>, <c>brokerId</c>; see <see cref="ILoopCluster"/>).
/// The broker list is read from the cluster's resource (through <paramref name="specBrokers"/>, once) at every scrape,
/// so each Prometheus scrape is the simulation's tick: brokers join and leave after their delays, and every join or
/// leave starts a period of under-replication. Tests await scrapes (<see cref="NextScrapeAsync"/>) instead of sleeping.
/// </summary>
public sealed class SimulatedKafkaExporter(Func<IReadOnlyList<int>> specBrokers, KafkaSimulation simulation, Func<int, string> seriesLabels) : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, DateTimeOffset> joinsAt = [];
    private readonly Dictionary<int, DateTimeOffset> leavesAt = [];
    private readonly HashSet<int> serving = [];
    private readonly Dictionary<int, double> requests = [];
    private readonly List<TaskCompletionSource<KafkaSimulationState>> waiters = [];
    private WebApplication? app;
    private DateTimeOffset? lastScrape;
    private DateTimeOffset underReplicatedUntil = DateTimeOffset.MinValue;
    private int scrapes;
    private double requestRate;
    private (int BrokerId, int Partitions)? rebalance;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The cluster's total request rate (requests per second), split evenly over the serving brokers.</summary>
    public double RequestRate
    {
        get { lock (gate) { return requestRate; } }
        set { lock (gate) { requestRate = value; } }
    }

    /// <summary>
    /// A manual rebalance in progress: this broker holds only this many partition replicas while it lasts, the others
    /// share the rest. Null when none.
    /// </summary>
    public (int BrokerId, int Partitions)? ManualRebalance
    {
        get { lock (gate) { return rebalance; } }
        set { lock (gate) { rebalance = value; } }
    }

    /// <summary>Brokers whose series the last scrape served.</summary>
    public IReadOnlyList<int> Serving
    {
        get { lock (gate) { return [.. serving.Order()]; } }
    }

    public async Task<SimulatedKafkaExporter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        app = builder.Build();
        app.MapGet("/metrics", (HttpContext context) =>
        {
            var (text, state) = Scrape(DateTimeOffset.UtcNow);
            Complete(state);
            return Results.Text(text, "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return this;
    }

    /// <summary>Completes with the state of the next scrape.</summary>
    public Task<KafkaSimulationState> NextScrapeAsync()
    {
        var waiter = new TaskCompletionSource<KafkaSimulationState>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            waiters.Add(waiter);
        }

        return waiter.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private void Complete(KafkaSimulationState state)
    {
        List<TaskCompletionSource<KafkaSimulationState>> due;
        lock (gate)
        {
            due = [.. waiters];
            waiters.Clear();
        }

        foreach (var waiter in due)
        {
            waiter.TrySetResult(state);
        }
    }

    private (string Text, KafkaSimulationState State) Scrape(DateTimeOffset now)
    {
        var spec = specBrokers();
        lock (gate)
        {
            scrapes++;
            var changed = false;
            foreach (var id in spec.Where(id => !serving.Contains(id) && !joinsAt.ContainsKey(id)))
            {
                // The brokers there at the first scrape are the running cluster; later ones join after the delay.
                joinsAt[id] = lastScrape is null ? now : now + simulation.JoinDelay;
            }

            foreach (var id in joinsAt.Keys.Where(id => !spec.Contains(id)).ToList())
            {
                joinsAt.Remove(id); // removed again before it joined
            }

            foreach (var id in serving.Where(id => !spec.Contains(id) && !leavesAt.ContainsKey(id)).ToList())
            {
                leavesAt[id] = now + simulation.LeaveDelay;
            }

            foreach (var (id, at) in joinsAt.Where(j => j.Value <= now).ToList())
            {
                joinsAt.Remove(id);
                serving.Add(id);
                // Not 0: Prometheus's rate() does not extrapolate a counter below zero, so a series starting at 0
                // reads low for its first window and makes BrokerUnderLoaded go pending on an artefact.
                requests.TryAdd(id, 1_000_000);
                changed = true;
            }

            foreach (var (id, at) in leavesAt.Where(l => l.Value <= now).ToList())
            {
                leavesAt.Remove(id);
                serving.Remove(id);
                requests.Remove(id);
                changed = true;
            }

            if (changed && lastScrape is not null && simulation.UnderReplicatedFor > TimeSpan.Zero)
            {
                underReplicatedUntil = now + simulation.UnderReplicatedFor;
            }

            var elapsed = lastScrape is { } last ? Math.Max(0, (now - last).TotalSeconds) : 0;
            lastScrape = now;
            var perBroker = serving.Count == 0 ? 0 : requestRate / serving.Count;
            foreach (var id in serving)
            {
                requests[id] += perBroker * elapsed;
            }

            var underReplicated = now < underReplicatedUntil;
            var text = new StringBuilder();
            Series(text, "kafka_network_requestmetrics_requests_total", "counter", id => requests[id]);
            Series(text, "kafka_server_replicamanager_partitioncount", "gauge", Partitions);
            Series(text, "kafka_server_replicamanager_underreplicatedpartitions", "gauge", _ => underReplicated ? 12 : 0);
            var state = new KafkaSimulationState(scrapes, now, [.. spec.Order()], [.. serving.Order()],
                joinsAt.Count > 0 || leavesAt.Count > 0, underReplicated, requestRate);
            return (text.ToString(), state);
        }
    }

    /// <summary>Evenly spread replicas, or during a manual rebalance the moving broker's share and the rest spread over the others.</summary>
    private double Partitions(int id)
    {
        var total = simulation.PartitionReplicas;
        if (rebalance is { } moving && serving.Contains(moving.BrokerId) && serving.Count > 1)
        {
            return id == moving.BrokerId ? moving.Partitions : Math.Round((double)(total - moving.Partitions) / (serving.Count - 1));
        }

        return Math.Round((double)total / serving.Count);
    }

    private void Series(StringBuilder text, string metric, string type, Func<int, double> value)
    {
        text.Append("# TYPE ").Append(metric).Append(' ').Append(type).Append('\n');
        foreach (var id in serving.Order())
        {
            text.Append(CultureInfo.InvariantCulture, $"{metric}{{{seriesLabels(id)}}} {value(id).ToString("R", CultureInfo.InvariantCulture)}\n");
        }
    }
}
