using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>The local host serves /api/plan and /api/clusters over HTTP with the function key, like the Functions app.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostRoutesIntegrationTest(AzuriteFixture azurite)
{
    [Fact]
    public async Task Plan_and_clusters_answer_over_http_with_the_key_and_refuse_without_it()
    {
        await using var doubles = await PlanHost.StartAsync(azurite);
        await using var server = await LocalHostServer.StartAsync(new Dictionary<string, string?>(doubles.Settings), builder =>
        {
            builder.Services.RemoveAll<IKubernetes>();
            builder.Services.AddSingleton<IKubernetes>(_ => doubles.Api.CreateClient());
        });
        var key = $"?code={TestCredentials.FunctionKey}";
        using var body = new StringContent(Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale")), Encoding.UTF8, "application/json");

        using var plan = await server.Client.PostAsync($"/api/plan{key}", body);
        using var all = await server.Client.GetAsync($"/api/clusters{key}");
        using var one = await server.Client.GetAsync($"/api/clusters/kafka/kafka{key}");
        using var unknown = await server.Client.GetAsync($"/api/clusters/kafka/nope{key}");
        using var anonymous = await server.Client.GetAsync("/api/clusters");

        Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
        Assert.Equal("Acted", (string?)JsonNode.Parse(await plan.Content.ReadAsStringAsync())!["commands"]![0]!["outcome"]);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(3, (int?)JsonNode.Parse(await all.Content.ReadAsStringAsync())!["clusters"]![0]!["brokers"]);
        Assert.Equal("kafka", (string?)JsonNode.Parse(await one.Content.ReadAsStringAsync())!["name"]);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.Unauthorized), (unknown.StatusCode, anonymous.StatusCode));
        Assert.Equal(0, await doubles.QueueLengthAsync());
    }

    [Fact]
    public async Task Without_a_usable_kubernetes_connection_plan_and_clusters_still_answer_with_the_error()
    {
        await using var doubles = await PlanHost.StartAsync(azurite);
        // As the sample settings have it: executor and rebalance check off, so the host starts without Kubernetes.
        var settings = new Dictionary<string, string?>(doubles.Settings)
        {
            ["AzureWebJobs.scale-commands.Disabled"] = "true",
            ["AzureWebJobs.rebalance-check.Disabled"] = "true",
        };
        await using var server = await LocalHostServer.StartAsync(settings, builder =>
        {
            builder.Services.RemoveAll<IKubernetes>();
            builder.Services.AddSingleton<IKubernetes>(_ => throw new k8s.Exceptions.KubeConfigException("no kubeconfig"));
        });
        var key = $"?code={TestCredentials.FunctionKey}";
        using var body = new StringContent(Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale")), Encoding.UTF8, "application/json");

        using var plan = await server.Client.PostAsync($"/api/plan{key}", body);
        using var one = await server.Client.GetAsync($"/api/clusters/kafka/kafka{key}");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (plan.StatusCode, one.StatusCode));
        var command = JsonNode.Parse(await plan.Content.ReadAsStringAsync())!["commands"]![0]!;
        Assert.Equal(("Deferred", "Unavailable"), ((string?)command["outcome"], (string?)command["reasonCode"]));
        var kubernetes = JsonNode.Parse(await one.Content.ReadAsStringAsync())!["kubernetes"]!;
        Assert.Equal((false, "KubeConfigException"), ((bool?)kubernetes["reachable"], (string?)kubernetes["error"]));
    }
}
