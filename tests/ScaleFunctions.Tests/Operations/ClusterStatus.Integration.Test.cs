using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// GET /api/clusters against the Kubernetes double (shipped RBAC), the Cruise Control double and a real Azurite:
/// holds that end when the executor's guards say, the queue's pending commands, the recent ones from the annotations,
/// unreachable parts reported as such, and no secret.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClusterStatusIntegrationTest(AzuriteFixture azurite)
{
    private static readonly string UpScale = Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale"));

    private static void Guards(Dictionary<string, string?> s)
    {
        s["Executor:ScaleUpCooldown"] = "00:10:00";
        s["Executor:ScaleDownCooldown"] = "00:30:00";
        s["Executor:FlapWindow"] = "00:40:00";
        s["Executor:SettleWindow"] = "00:05:00";
    }

    private static JsonObject Hold(JsonNode cluster, string code) =>
        cluster["guard"]!["holds"]!.AsArray().Single(h => (string?)h!["code"] == code)!.AsObject();

    [Fact]
    public async Task After_an_upScale_the_holds_end_when_the_guards_say_and_the_annotations_show_the_command_and_last_action()
    {
        await using var host = await PlanHost.StartAsync(azurite, Guards);
        await host.PostAsync(UpScale);
        var command = await host.ExecuteNextAsync();

        var (status, body) = await host.StatusAsync("kafka", "kafka");

        Assert.Equal(200, status);
        Assert.Equal(4, (int?)body["brokers"]);
        Assert.Equal((2, 6), ((int?)body["limits"]!["minBrokers"], (int?)body["limits"]!["maxBrokers"]));
        Assert.Equal(PlanHost.Start, (DateTimeOffset?)body["guard"]!["lastScaleUp"]);
        Assert.StartsWith("UpScale at 2025-01-15T10:05:00Z", (string?)body["guard"]!["lastAction"], StringComparison.Ordinal);
        Assert.Equal([command.IdempotencyKey], body["guard"]!["recentCommands"]!.AsArray().Select(k => (string?)k));
        Assert.Equal(PlanHost.Start.AddMinutes(10), (DateTimeOffset?)Hold(body, ReasonCodes.ScaleUpCooldown)["until"]);
        Assert.Equal(PlanHost.Start.AddMinutes(5), (DateTimeOffset?)Hold(body, ReasonCodes.SettleWindow)["until"]);
        Assert.Equal(PlanHost.Start.AddMinutes(40), (DateTimeOffset?)Hold(body, ReasonCodes.FlapGuard)["until"]);
        Assert.Equal(["downScale"], Hold(body, ReasonCodes.FlapGuard)["holds"]!.AsArray().Select(k => (string?)k));
        Assert.True((bool?)Hold(body, ReasonCodes.SettleWindow)["active"]);

        host.Time.Advance(TimeSpan.FromMinutes(6));
        var later = (await host.StatusAsync("kafka", "kafka")).Body;
        Assert.False((bool?)Hold(later, ReasonCodes.SettleWindow)["active"]);
        Assert.True((bool?)Hold(later, ReasonCodes.ScaleUpCooldown)["active"]);
        host.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.False((bool?)Hold((await host.StatusAsync("kafka", "kafka")).Body, ReasonCodes.ScaleUpCooldown)["active"]);
    }

    [Fact]
    public async Task Pending_commands_come_from_the_queue_per_cluster_with_what_the_executor_would_decide_now()
    {
        await using var host = await PlanHost.StartAsync(azurite, s =>
        {
            s["Clusters:1:Namespace"] = "kafka";
            s["Clusters:1:Name"] = "other";
        });
        host.Api.SeedKafkaCluster(name: "other");
        await host.PostAsync(UpScale);
        await host.PostAsync(Webhooks.Firing(Webhooks.Alert("OtherOverloaded", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = "other" })));

        var (status, body) = await host.StatusAsync();

        Assert.Equal(200, status);
        var clusters = body["clusters"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => c!);
        var pending = clusters["kafka"]["pending"]!;
        Assert.Equal(2, (int?)pending["queueApproximateCount"]);
        Assert.Equal(1, (int?)pending["visible"]);
        var shown = Assert.Single(pending["commands"]!.AsArray())!;
        Assert.Equal(("upScale", "Acted", ReasonCodes.Applied), ((string?)shown["command"], (string?)shown["decisionNow"], (string?)shown["reasonCode"]));
        Assert.Equal(1, (int?)clusters["other"]["pending"]!["visible"]);
        Assert.Equal(2, await host.QueueLengthAsync());
        Assert.DoesNotContain(host.Api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_cluster_kubernetes_refuses_to_show_still_has_an_entry_naming_the_missing_permission()
    {
        await using var host = await PlanHost.StartAsync(azurite);
        host.Api.Rbac = RbacPolicy.Shipped("scalefunctions-none");

        var (status, body) = await host.StatusAsync();

        Assert.Equal(200, status);
        var cluster = Assert.Single(body["clusters"]!.AsArray())!;
        Assert.False((bool?)cluster["kubernetes"]!["reachable"]);
        Assert.Contains("get on kafkaclusters \"kafka\"", (string?)cluster["kubernetes"]!["error"], StringComparison.Ordinal);
        Assert.Null(cluster["brokers"]);
        Assert.Equal(6, (int?)cluster["limits"]!["maxBrokers"]);
    }

    [Fact]
    public async Task Unreachable_kubernetes_and_cruise_control_are_reported_as_such()
    {
        var closed = ClosedPort.Next();
        await using var host = await PlanHost.StartAsync(azurite, s =>
        {
            s["Clusters:0:CruiseControl:Service"] = null;
            s["Clusters:0:CruiseControl:Url"] = $"http://127.0.0.1:{closed}";
        });
        await host.Api.DisposeAsync();

        var cluster = (await host.StatusAsync("kafka", "kafka")).Body;

        Assert.False((bool?)cluster["kubernetes"]!["reachable"]);
        Assert.Equal("HttpRequestException", (string?)cluster["kubernetes"]!["error"]);
        Assert.Equal((true, false, "Unhealthy"), ((bool?)cluster["cruiseControl"]!["configured"], (bool?)cluster["cruiseControl"]!["reachable"], (string?)cluster["cruiseControl"]!["status"]));
    }

    [Fact]
    public async Task Reachable_cruise_control_is_reported_healthy()
    {
        await using var host = await PlanHost.StartAsync(azurite);

        var cluster = (await host.StatusAsync("kafka", "kafka")).Body;

        Assert.True((bool?)cluster["kubernetes"]!["reachable"]);
        Assert.Equal((true, "Healthy"), ((bool?)cluster["cruiseControl"]!["reachable"], (string?)cluster["cruiseControl"]!["status"]));
    }

    [Fact]
    public async Task An_unknown_cluster_is_a_404_and_a_wrong_key_a_401()
    {
        await using var host = await PlanHost.StartAsync(azurite);

        Assert.Equal(404, (await host.StatusAsync("kafka", "nope")).Status);
        var response = await host.Services.GetRequiredService<ScaleFunctions.Operations.ClusterStatusReader>().ReadAsync(
            Webhooks.Request("", headers: new Dictionary<string, string> { ["x-functions-key"] = "wrong" }), null, null, CancellationToken.None);
        Assert.Equal(401, response.StatusCode);
    }

    [Fact]
    public async Task No_broker_configuration_value_reaches_the_status()
    {
        const string Password = "jaas-password-never-shown-77e1";
        await using var host = await PlanHost.StartAsync(azurite, cluster: PlanIntegrationTest.SecretInBroker(Password));
        await host.PostAsync(Webhooks.Firing(Webhooks.Alert("Idle", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "2" })));

        var body = (await host.StatusAsync()).Body;

        Assert.Equal(3, (int?)body["clusters"]![0]!["brokers"]);
        Assert.DoesNotContain(Password, body.ToJsonString(), StringComparison.Ordinal);
    }
}
