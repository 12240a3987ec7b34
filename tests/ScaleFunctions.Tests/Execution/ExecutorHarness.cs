using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The executor as the app builds it (AddScaleFunctions with settings), against the Kubernetes API double seeded with
/// Koperator's sample KafkaCluster (kafka/kafka, brokers 0–2, Running), with a fake clock, fake alert resolutions,
/// a recording deferral queue, fake Cruise Control replica counts and rebalance activity, and recorded logs.
/// </summary>
public sealed class ExecutorHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider services;
    private readonly bool ownsApi;
    private int commandNumber;

    private ExecutorHarness(KubernetesApiDouble api, bool ownsApi, IReadOnlyDictionary<string, string?> settings, FakeTimeProvider time, bool realQueue, bool realCruiseControl)
    {
        Api = api;
        this.ownsApi = ownsApi;
        Time = time;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddScaleFunctions(configuration);
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<IKubernetes>(_ => api.CreateClient());
        collection.AddSingleton<IAlertResolutions>(Resolutions);
        if (!realQueue)
        {
            collection.AddSingleton<ICommandQueue>(Queue);
        }

        if (!realCruiseControl)
        {
            collection.AddSingleton<IBrokerReplicaCounts>(ReplicaCounts);
            collection.AddSingleton<IRebalanceActivity>(Rebalance);
        }
        services = collection.BuildServiceProvider();
    }

    public KubernetesApiDouble Api { get; }
    public FakeTimeProvider Time { get; }
    public LogRecorder Logs { get; } = new();
    public FakeAlertResolutions Resolutions { get; } = new();
    public RecordingCommandQueue Queue { get; } = new();
    public FakeReplicaCounts ReplicaCounts { get; } = new();
    public FakeRebalanceActivity Rebalance { get; } = new();
    public IServiceProvider Services => services;
    public IScaleCommandHandler Handler => services.GetRequiredService<IScaleCommandHandler>();

    /// <summary>Settings every test starts from (cluster kafka/kafka, 3–6 brokers); <paramref name="settings"/> adds or overrides.</summary>
    /// <param name="realQueue">Keep intake's storage queue for deferrals (set AzureWebJobsStorage to a running Azurite).</param>
    /// <param name="cruiseControl">
    /// The cluster's Cruise Control: the app's own Cruise Control client, rebalance activity (its <c>state</c> and the
    /// cluster's CruiseControlOperations in the API double) and replica counts ask it, instead of the fakes.
    /// </param>
    public static async Task<ExecutorHarness> StartAsync(Action<Dictionary<string, string?>>? settings = null, Action<JsonObject>? cluster = null, KubernetesApiDouble? sharedApi = null, bool realQueue = false, ScaleFunctions.Testing.CruiseControl.CruiseControlDouble? cruiseControl = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["ScaleCommandQueue"] = "scale-commands",
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
            ["Clusters:0:Kind"] = "KafkaCluster",
            ["Clusters:0:MinBrokers"] = "2",
            ["Clusters:0:MaxBrokers"] = "6",
            ["Kubernetes:Mode"] = "KubeConfig",
        };
        if (cruiseControl is not null)
        {
            values["Clusters:0:CruiseControl:Url"] = cruiseControl.BaseUri.ToString();
            values["CruiseControl:RetryAttempts"] = "0";
        }

        settings?.Invoke(values);
        var api = sharedApi;
        if (api is null)
        {
            api = new KubernetesApiDouble();
            api.SeedKafkaCluster(customize: cluster);
            if (cruiseControl is not null)
            {
                api.WithCruiseControlOperationCrd();
            }

            await api.StartAsync();
        }

        return new ExecutorHarness(api, ownsApi: sharedApi is null, values, new FakeTimeProvider(Start), realQueue, realCruiseControl: cruiseControl is not null);
    }

    /// <summary>Executor decisions recorded so far (EventId 1000 entries of stage executor).</summary>
    public IReadOnlyList<LogEntry> Decisions =>
        Logs.Entries.Where(e => e.EventId.Id == DecisionLog.DecisionEvent.Id && e["Stage"] == "executor").ToList();

    public LogEntry LastDecision => Decisions[^1];

    public IReadOnlyList<RecordedRequest> Writes => Api.Requests.Where(r => r.IsWrite).ToList();

    public JsonObject Cluster => Api.GetKafkaCluster();

    public ScaleCommand Command(ScaleCommandKind kind, ScaleParameters? parameters = null, ScaleTarget? target = null, string? key = null, string? fingerprint = null)
    {
        var n = Interlocked.Increment(ref commandNumber);
        var now = Time.GetUtcNow();
        return new ScaleCommand
        {
            IdempotencyKey = key ?? $"key-{n}",
            Command = kind,
            Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
            Target = target ?? ScaleTarget.Cluster,
            Parameters = parameters ?? new ScaleParameters(),
            Alerts = [new AlertRef(fingerprint ?? $"fp{n}", "KafkaAlert", now.AddMinutes(-1))],
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(15),
        };
    }

    public Task HandleAsync(ScaleCommand command, long dequeueCount = 1) =>
        Handler.HandleAsync(ScaleCommandCodec.Serialize(command), new QueueMessageContext("message-id", dequeueCount), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        if (ownsApi)
        {
            await Api.DisposeAsync();
        }
    }
}

/// <summary>Alert episodes a test marks resolved.</summary>
public sealed class FakeAlertResolutions : IAlertResolutions
{
    private readonly ConcurrentDictionary<string, bool> resolved = new();

    public Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
    {
        foreach (var alert in alerts)
        {
            resolved[alert.Key] = true;
        }

        return Task.CompletedTask;
    }

    private int checks;

    /// <summary>How many times the executor asked (one table query per call on Azure Storage).</summary>
    public int Checks => checks;

    public Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref checks);
        return Task.FromResult(alerts.Count > 0 && alerts.All(a => resolved.ContainsKey(a.Key)));
    }
}

/// <summary>Deferred commands, as they would be re-enqueued.</summary>
public sealed class RecordingCommandQueue : ICommandQueue
{
    private readonly ConcurrentQueue<(ScaleCommand Command, TimeSpan? Delay)> deferred = new();

    public IReadOnlyList<(ScaleCommand Command, TimeSpan? Delay)> Deferred => deferred.ToArray();

    public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        deferred.Enqueue((command, visibilityDelay));
        return Task.CompletedTask;
    }
}

/// <summary>Cruise Control replica counts a test sets (null: unreachable).</summary>
public sealed class FakeReplicaCounts : IBrokerReplicaCounts
{
    public IReadOnlyDictionary<int, int>? Counts { get; set; }

    public Task<IReadOnlyDictionary<int, int>?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) => Task.FromResult(Counts);
}

/// <summary>What a test says Cruise Control is moving (null: nothing), or the failure asking it throws.</summary>
public sealed class FakeRebalanceActivity : IRebalanceActivity
{
    private int calls;

    public string? Moving { get; set; }

    public Exception? Failure { get; set; }

    public int Calls => calls;

    public Task<string?> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref calls);
        return Failure is { } failure ? Task.FromException<string?>(failure) : Task.FromResult(Moving);
    }
}
