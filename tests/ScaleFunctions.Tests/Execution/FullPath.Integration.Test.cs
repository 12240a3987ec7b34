using System.Net;
using System.Text;
using k8s;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.WebJobs.Host.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The whole path through the local host (same DI, same host.json queue settings): Alertmanager webhook → intake →
/// Azurite queue → the WebJobs SDK's queue trigger → executor → the KafkaCluster in the Kubernetes API double gains
/// one broker.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FullPathIntegrationTest(AzuriteFixture azurite)
{
    private const string FunctionKey = "full-path-test-function-key";

    [Fact]
    public async Task A_webhook_becomes_exactly_one_new_broker()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        var settlements = new QueueSettlements();
        await using var app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["ScaleCommandQueue"] = $"full-{Guid.NewGuid():N}",
                ["Auth:FunctionKey"] = FunctionKey,
                ["Clusters:0:Namespace"] = "kafka",
                ["Clusters:0:Name"] = "kafka",
                ["Clusters:0:MinBrokers"] = "3",
                ["Clusters:0:MaxBrokers"] = "6",
                ["RebalanceSchedule"] = "0 */5 * * * *",
                ["AzureWebJobs.rebalance-check.Disabled"] = "true",
            });
            builder.Services.AddSingleton<IKubernetes>(_ => api.CreateClient());
            builder.Services.AddSingleton<IQueueProcessorFactory>(settlements);
        }, useLocalSettings: false);
        await app.StartAsync();
        var baseUri = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var root = RepositoryRoot.Find(AppContext.BaseDirectory)!;
        var webhook = await File.ReadAllTextAsync(Path.Combine(root, "docs", "examples", "upscale-webhook.json"));

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUri}/api/alerts") { Content = new StringContent(webhook, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-functions-key", FunctionKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var settled = await settlements.NextAsync();

        Assert.True(settled.Succeeded);
        var cluster = api.GetKafkaCluster();
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(cluster));
        var storage = cluster["spec"]!["brokers"]![3]!["brokerConfig"]!["storageConfigs"]![0]!;
        Assert.Equal("/kafkalog", (string?)storage["mountPath"]);
        Assert.Equal("gp2", (string?)storage["pvcSpec"]!["storageClassName"]);
        Assert.Single(api.Requests, r => r.Method == "PATCH");
        await app.StopAsync();
    }
}
