extern alias LocalHost;
using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using LocalHost::ScaleFunctions.LocalHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Intake;

namespace ScaleFunctions.Benchmarks;

/// <summary>
/// The intake path of one webhook against a real Azurite: resolved alerts written in table batches, commands enqueued
/// a few at a time. How long a large notification keeps the HTTP function (and Alertmanager) waiting.
/// </summary>
[MemoryDiagnoser]
public class StorageIntakeBenchmarks
{
    private const string Key = "benchmark-function-key-0123456789";

    private readonly string location = Path.Combine(Path.GetTempPath(), $"azurite-benchmark-{Guid.NewGuid():N}");
    private AzuriteProcess? azurite;
    private ServiceProvider? services;
    private byte[] body = [];

    /// <summary>Resolved alerts in one notification (one cluster, so one table partition); with the commands' alerts at most Intake:MaxAlertsPerWebhook.</summary>
    [Params(100, 1900)]
    public int Resolved { get; set; }

    /// <summary>Distinct downScale targets in the same notification (one command each).</summary>
    [Params(1, 100)]
    public int Commands { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? RepositoryRoot.Find(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("Run the benchmarks from the repository (Azurite comes from its node_modules).");
        Directory.CreateDirectory(location);
        azurite = await AzuriteProcess.StartAsync(AzuriteProcess.Executable(root), location, 0, 0, 0, TimeSpan.FromSeconds(60), CancellationToken.None);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ScaleCommandQueue"] = "benchmark-commands",
            ["Auth:FunctionKey"] = Key,
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
        }).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddScaleFunctions(configuration);
        services = collection.BuildServiceProvider();
        body = Encoding.UTF8.GetBytes(Webhook(Resolved, Commands));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        Directory.Delete(location, recursive: true);
    }

    [Benchmark]
    public async Task<int> Handle()
    {
        var request = new WebhookRequest("application/json", body.Length, h => h == "x-functions-key" ? Key : null, _ => null, new MemoryStream(body));
        var response = await services!.GetRequiredService<AlertWebhookHandler>().HandleAsync(request, CancellationToken.None);
        return response.StatusCode == 202 ? response.StatusCode : throw new InvalidOperationException(response.JsonBody);
    }

    private static string Webhook(int resolved, int commands)
    {
        var alerts = new JsonArray();
        for (var i = 0; i < resolved + commands; i++)
        {
            var firing = i >= resolved;
            alerts.Add(new JsonObject
            {
                ["status"] = firing ? "firing" : "resolved",
                ["labels"] = new JsonObject { ["alertname"] = "PartitionCountLow", ["namespace"] = "kafka", ["kafka_cr"] = "kafka", ["brokerId"] = $"{i}" },
                ["annotations"] = new JsonObject { ["command"] = "downScale" },
                ["startsAt"] = "2025-01-15T10:00:00Z",
                ["endsAt"] = firing ? "0001-01-01T00:00:00Z" : "2025-01-15T10:30:00Z",
                ["fingerprint"] = $"{i:x16}",
            });
        }

        return new JsonObject { ["version"] = "4", ["status"] = "firing", ["receiver"] = "scalefunctions", ["alerts"] = alerts }.ToJsonString();
    }
}
