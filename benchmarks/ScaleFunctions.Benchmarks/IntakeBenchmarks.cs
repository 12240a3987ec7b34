using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Benchmarks;

/// <summary>
/// The intake path of one webhook, from bytes to enqueued commands, with the real DI registration and an in-memory
/// queue (storage latency is not what this measures): how much an alert storm costs the HTTP function. The baseline is
/// a bare System.Text.Json deserialization of the same bytes into the webhook model; <see cref="Read"/> (parse,
/// interpret, coalesce: all the CPU work before storage) is the figure the target (at most 1.5x at 100 alerts) is about.
/// </summary>
[MemoryDiagnoser]
public class IntakeBenchmarks
{
    private static readonly JsonSerializerOptions Bare = new(JsonSerializerDefaults.Web);

    private const string Key = "benchmark-function-key-0123456789";

    private AlertWebhookHandler handler = null!;
    private WebhookReader reader = null!;
    private byte[] body = [];

    /// <summary>Alerts in one notification, all asking one cluster for an upScale (they coalesce into one command).</summary>
    [Params(1, 100, 1000)]
    public int Alerts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Auth:FunctionKey"] = Key,
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ICommandQueue, DiscardingQueue>();
        services.AddSingleton<IAlertResolutions, NoResolutions>();
        services.AddScaleFunctions(configuration);
        var provider = services.BuildServiceProvider();
        handler = provider.GetRequiredService<AlertWebhookHandler>();
        reader = provider.GetRequiredService<WebhookReader>();
        body = Encoding.UTF8.GetBytes(Webhook(Alerts));
    }

    [Benchmark(Baseline = true)]
    public AlertmanagerWebhook? Deserialize() => JsonSerializer.Deserialize<AlertmanagerWebhook>(body, Bare);

    [Benchmark]
    public AlertWebhookParseResult Parse() => AlertWebhookParser.Parse(body, DateTimeOffset.UnixEpoch, TimeSpan.Zero);

    /// <summary>Parse, interpret every alert, coalesce: the reader the handler and /api/plan share (credentials checked first).</summary>
    [Benchmark]
    public Task<WebhookReading> Read() => reader.ReadAsync(Request(), CancellationToken.None);

    [Benchmark]
    public Task<WebhookResponse> Handle() => handler.HandleAsync(Request(), CancellationToken.None);

    private WebhookRequest Request() => new("application/json", body.Length, h => h == "x-functions-key" ? Key : null, _ => null, new MemoryStream(body));

    private static string Webhook(int count)
    {
        var alerts = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            alerts.Add(new JsonObject
            {
                ["status"] = "firing",
                ["labels"] = new JsonObject { ["alertname"] = "BrokerOverLoaded", ["namespace"] = "kafka", ["kafka_cr"] = "kafka", ["brokerId"] = $"{i}" },
                ["annotations"] = new JsonObject { ["command"] = "upScale", ["brokerConfigGroup"] = "default" },
                ["startsAt"] = "2025-01-15T10:00:00Z",
                ["endsAt"] = "0001-01-01T00:00:00Z",
                ["fingerprint"] = $"{i:x16}",
            });
        }

        return new JsonObject { ["version"] = "4", ["status"] = "firing", ["receiver"] = "scalefunctions", ["alerts"] = alerts }.ToJsonString();
    }

    private sealed class DiscardingQueue : ICommandQueue
    {
        public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NoResolutions : IAlertResolutions
    {
        public Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
