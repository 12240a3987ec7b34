using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Intake;
using ScaleFunctions.Operations;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// The app as AddScaleFunctions builds it, on a real Azurite (its own queue and resolutions table), the Kubernetes
/// double enforcing the shipped RBAC and seeded with Koperator's sample KafkaCluster (kafka/kafka, brokers 0–2), and
/// the Cruise Control double behind the service proxy; a fake clock and recorded logs. Intake, plan, executor and
/// cluster status all from the same container.
/// </summary>
public sealed class PlanHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 15, 10, 5, 0, TimeSpan.Zero);

    private readonly ServiceProvider services;

    private PlanHost(AzuriteFixture azurite, KubernetesApiDouble api, CruiseControlDouble cruiseControl, Dictionary<string, string?> settings)
    {
        Azurite = azurite;
        Api = api;
        CruiseControl = cruiseControl;
        Settings = settings;
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddScaleFunctions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        collection.AddSingleton<TimeProvider>(Time);
        collection.AddSingleton<IKubernetes>(_ => api.CreateClient());
        services = collection.BuildServiceProvider();
    }

    public AzuriteFixture Azurite { get; }
    public KubernetesApiDouble Api { get; }
    public CruiseControlDouble CruiseControl { get; }
    public IReadOnlyDictionary<string, string?> Settings { get; }
    public FakeTimeProvider Time { get; } = new(Start);
    public LogRecorder Logs { get; } = new();
    public string QueueName => Settings["ScaleCommandQueue"]!;
    public string TableName => Settings["Intake:ResolutionsTable"]!;

    /// <summary>Cluster kafka/kafka (2–6 brokers) with Cruise Control behind the service proxy; <paramref name="settings"/> adds or overrides.</summary>
    public static async Task<PlanHost> StartAsync(AzuriteFixture azurite, Action<Dictionary<string, string?>>? settings = null, Action<JsonObject>? cluster = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ScaleCommandQueue"] = AzuriteFixture.NewQueueName(),
            ["RebalanceSchedule"] = "0 */5 * * * *", // the local host's WebJobs host indexes the timer even when it is off
            ["Intake:ResolutionsTable"] = AzuriteFixture.NewTableName(),
            ["Auth:FunctionKey"] = TestCredentials.FunctionKey,
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
            ["Clusters:0:Kind"] = "KafkaCluster",
            ["Clusters:0:MinBrokers"] = "2",
            ["Clusters:0:MaxBrokers"] = "6",
            ["Clusters:0:CruiseControl:Service"] = "kafka-cruisecontrol-svc",
            ["Clusters:0:CruiseControl:Port"] = "8090",
            ["CruiseControl:RetryDelay"] = "00:00:00",
            ["CruiseControl:PollInterval"] = "00:00:00",
            ["Kubernetes:Mode"] = "KubeConfig",
        };
        settings?.Invoke(values);
        var cruiseControl = await CruiseControlDouble.StartAsync();
        var api = new KubernetesApiDouble()
            .WithServiceProxy("kafka", "kafka-cruisecontrol-svc", 8090, cruiseControl)
            .WithCruiseControlOperationCrd();
        api.SeedKafkaCluster(customize: cluster);
        await api.StartAsync();
        return new PlanHost(azurite, api, cruiseControl, values);
    }

    public IServiceProvider Services => services;

    public async Task<(int Status, JsonObject Body)> PlanAsync(string webhook, WebhookRequest? request = null)
    {
        var response = await services.GetRequiredService<WebhookPlanner>().PlanAsync(request ?? Webhooks.Request(webhook), CancellationToken.None);
        return (response.StatusCode, JsonNode.Parse(response.JsonBody)!.AsObject());
    }

    /// <summary>POST /api/alerts: the commands go to the real queue.</summary>
    public async Task PostAsync(string webhook) =>
        Assert.Equal(202, (await services.GetRequiredService<AlertWebhookHandler>().HandleAsync(Webhooks.Request(webhook), CancellationToken.None)).StatusCode);

    /// <summary>Takes the next command off the queue and has the executor handle it, as the queue trigger would.</summary>
    public async Task<ScaleCommand> ExecuteNextAsync()
    {
        var queue = Azurite.RawQueue(QueueName);
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1)).Value);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        await services.GetRequiredService<IScaleCommandHandler>().HandleAsync(json, new QueueMessageContext(message.MessageId, 1), CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        return ScaleCommandCodec.Deserialize(json);
    }

    public async Task<(int Status, JsonNode Body)> StatusAsync(string? @namespace = null, string? name = null)
    {
        var response = await services.GetRequiredService<ClusterStatusReader>().ReadAsync(Webhooks.Request(""), @namespace, name, CancellationToken.None);
        return (response.StatusCode, JsonNode.Parse(response.JsonBody)!);
    }

    /// <summary>Executor decisions recorded (EventId 1000 of stage executor).</summary>
    public IReadOnlyList<LogEntry> ExecutorDecisions =>
        Logs.Entries.Where(e => e.EventId.Id == DecisionLog.DecisionEvent.Id && e["Stage"] == ScaleExecutor.Stage).ToList();

    /// <summary>The patches the executor logged with each change (EventId 1101, or 1102 in dry run).</summary>
    public IReadOnlyList<JsonNode> LoggedPatches =>
        [.. Logs.Entries.Where(e => e.Category == typeof(ScaleExecutor).FullName && e.EventId.Id is 1101 or 1102).Select(e => JsonNode.Parse(e["Patch"]!)!)];

    /// <summary>Messages on the command queue (0 when it does not exist).</summary>
    public async Task<int> QueueLengthAsync()
    {
        var queue = Azurite.RawQueue(QueueName);
        return await queue.ExistsAsync() ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    /// <summary>Entities in the resolutions table (0 when it does not exist).</summary>
    public async Task<int> TableRowsAsync()
    {
        try
        {
            var count = 0;
            await foreach (var _ in Azurite.Table(TableName).QueryAsync<TableEntity>())
            {
                count++;
            }

            return count;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Api.DisposeAsync();
        await CruiseControl.DisposeAsync();
    }
}
