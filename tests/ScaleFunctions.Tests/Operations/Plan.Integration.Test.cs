using System.Text.Json.Nodes;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// POST /api/plan against the Kubernetes double (shipped RBAC), the Cruise Control double and a real Azurite: it
/// answers what the executor would decide, and that is what the executor then does; it writes nothing anywhere.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PlanIntegrationTest(AzuriteFixture azurite)
{
    private static readonly string UpScale = Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale"));

    private static JsonObject OnlyCommand(JsonObject body) => Assert.Single(body["commands"]!.AsArray())!.AsObject();

    [Fact]
    public async Task A_plan_writes_nothing_to_kubernetes_the_queue_the_table_or_cruise_control_and_logs_no_decision_as_taken()
    {
        await using var host = await PlanHost.StartAsync(azurite);
        var resolvedToo = Webhooks.Firing(
            Webhooks.Alert("Overloaded", "upScale"),
            Webhooks.Alert("Idle", "downScale", status: "resolved"));

        var (status, body) = await host.PlanAsync(resolvedToo);

        Assert.Equal(200, status);
        Assert.Equal("Acted", (string?)OnlyCommand(body)["outcome"]);
        Assert.Contains(body["ignored"]!.AsArray(), i => ((string?)i!["reason"])!.StartsWith("resolved", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Api.Requests, r => r.IsWrite);
        Assert.Contains(host.Api.Requests, r => r.Method == "GET");
        Assert.All(host.CruiseControl.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Equal(0, await host.QueueLengthAsync());
        Assert.Equal(0, await host.TableRowsAsync());
        Assert.Empty(host.ExecutorDecisions);
        Assert.Empty(host.LoggedPatches);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(host.Api.GetKafkaCluster()));
    }

    [Fact]
    public async Task The_plan_of_an_upScale_is_what_the_executor_then_does_outcome_reason_code_and_patch()
    {
        await using var host = await PlanHost.StartAsync(azurite);

        var planned = OnlyCommand((await host.PlanAsync(UpScale)).Body);
        await host.PostAsync(UpScale);
        var executed = await host.ExecuteNextAsync();

        var decision = Assert.Single(host.ExecutorDecisions);
        Assert.Equal(executed.IdempotencyKey, (string?)planned["idempotencyKey"]);
        Assert.Equal((DecisionOutcome.Acted.ToString(), ReasonCodes.Applied), ((string?)planned["outcome"], (string?)planned["reasonCode"]));
        Assert.Equal((decision["Outcome"], decision["ReasonCode"]), ((string?)planned["outcome"], (string?)planned["reasonCode"]));
        Assert.Equal(decision["Reason"], $"{planned["reasonCode"]}: {planned["reason"]}");
        Assert.True(JsonNode.DeepEquals(Assert.Single(host.LoggedPatches), planned["patch"]), planned["patch"]!.ToJsonString());
        var sent = Assert.Single(host.Api.Requests, r => r.IsWrite);
        Assert.Equal("PATCH", sent.Method);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent.Body), planned["patch"]), sent.Body);
        Assert.Contains(planned["patch"]!.AsArray(), op => (string?)op!["op"] == "add" && (int?)op["value"]?["id"] == 3);
        Assert.Equal([0, 1, 2, 3], KafkaClusterFixture.BrokerIds(host.Api.GetKafkaCluster()));
    }

    [Fact]
    public async Task The_plan_of_a_deferred_command_is_the_executors_deferral_with_its_reason_code_reason_and_delay()
    {
        await using var host = await PlanHost.StartAsync(azurite, s => s["Executor:ScaleUpCooldown"] = "00:20:00");
        await host.PostAsync(UpScale);
        await host.ExecuteNextAsync();
        host.Time.Advance(TimeSpan.FromMinutes(10));
        var again = Webhooks.Firing(Webhooks.Alert("StillOverloaded", "upScale"));

        var planned = OnlyCommand((await host.PlanAsync(again)).Body);
        await host.PostAsync(again);
        await host.ExecuteNextAsync();

        var decision = host.ExecutorDecisions[^1];
        Assert.Equal(("Deferred", ReasonCodes.ScaleUpCooldown), ((string?)planned["outcome"], (string?)planned["reasonCode"]));
        Assert.Equal((decision["Outcome"], decision["ReasonCode"]), ((string?)planned["outcome"], (string?)planned["reasonCode"]));
        Assert.Equal(decision["Reason"], $"{planned["reasonCode"]}: {planned["reason"]}");
        Assert.Equal("00:10:00", (string?)planned["deferFor"]);
        Assert.Null(planned["patch"]);
    }

    [Fact]
    public async Task Every_outcome_shows_up_in_a_plan_acted_deferred_refused_and_ignored()
    {
        await using var host = await PlanHost.StartAsync(azurite, s => s["Clusters:0:MinBrokers"] = "3");

        // Refused: one fewer broker would go below MinBrokers; acted: one more is fine; both in one webhook.
        var body = (await host.PlanAsync(Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale"), Webhooks.Alert("Idle", "downScale")))).Body;
        var byCommand = body["commands"]!.AsArray().ToDictionary(c => (string)c!["command"]!, c => c!.AsObject());
        Assert.Equal(("Acted", ReasonCodes.Applied), ((string?)byCommand["upScale"]["outcome"], (string?)byCommand["upScale"]["reasonCode"]));
        Assert.NotEmpty(byCommand["upScale"]["patch"]!.AsArray());
        Assert.Equal(("Refused", ReasonCodes.MinBrokers), ((string?)byCommand["downScale"]["outcome"], (string?)byCommand["downScale"]["reasonCode"]));
        Assert.Null(byCommand["downScale"]["patch"]);

        // Ignored: the same alert once the executor has acted on it.
        await host.PostAsync(UpScale);
        await host.ExecuteNextAsync();
        var replay = OnlyCommand((await host.PlanAsync(UpScale)).Body);
        Assert.Equal(("Ignored", ReasonCodes.Replay), ((string?)replay["outcome"], (string?)replay["reasonCode"]));

        // Deferred: the cluster is busy (a minute later, so the new command is not superseded by the change above).
        host.Time.Advance(TimeSpan.FromMinutes(1));
        host.Api.SetClusterStatus("kafka", "kafka", "ClusterRollingUpgrading");
        var busy = OnlyCommand((await host.PlanAsync(Webhooks.Firing(Webhooks.Alert("Overloaded2", "upScale")))).Body);
        Assert.Equal(("Deferred", ReasonCodes.ClusterNotRunning), ((string?)busy["outcome"], (string?)busy["reasonCode"]));
    }

    [Fact]
    public async Task A_plan_takes_prometheus_pushed_array_too_and_plans_the_same_command_as_for_the_webhook()
    {
        await using var host = await PlanHost.StartAsync(azurite);

        var (status, body) = await host.PlanAsync(Webhooks.Pushed(PlanHost.Start, Webhooks.Alert("Overloaded", "upScale")));
        var webhook = OnlyCommand((await host.PlanAsync(UpScale)).Body);

        // The fingerprint (so the key) of a pushed alert is computed from its labels; the decision is the same.
        Assert.Equal(200, status);
        var pushed = OnlyCommand(body);
        Assert.Equal(((string?)webhook["command"], (string?)webhook["outcome"], (string?)webhook["reasonCode"]),
            ((string?)pushed["command"], (string?)pushed["outcome"], (string?)pushed["reasonCode"]));
        Assert.Contains(pushed["patch"]!.AsArray(), op => (string?)op!["op"] == "add" && (int?)op["value"]?["id"] == 3);
        Assert.DoesNotContain(host.Api.Requests, r => r.IsWrite);
        Assert.Equal(0, await host.QueueLengthAsync());
    }

    [Fact]
    public async Task A_rebalance_in_progress_read_from_cruise_control_defers_the_planned_upScale()
    {
        await using var host = await PlanHost.StartAsync(azurite);
        host.CruiseControl.SetDefault("state", ScaleFunctions.Testing.CruiseControl.CruiseControlReply.StateExecuting);

        var planned = OnlyCommand((await host.PlanAsync(UpScale)).Body);

        Assert.Equal(("Deferred", ReasonCodes.RebalanceInProgress), ((string?)planned["outcome"], (string?)planned["reasonCode"]));
        Assert.Contains(host.CruiseControl.Requests, r => r.Endpoint == "state");
        Assert.DoesNotContain(host.Api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task A_plan_in_dry_run_says_what_the_executor_would_record_dry_run_with_the_patch_it_would_log()
    {
        await using var host = await PlanHost.StartAsync(azurite, s => s["Executor:DryRun"] = "true");

        var planned = OnlyCommand((await host.PlanAsync(UpScale)).Body);
        await host.PostAsync(UpScale);
        await host.ExecuteNextAsync();

        Assert.Equal(ReasonCodes.DryRun, (string?)planned["reasonCode"]);
        Assert.Equal(host.ExecutorDecisions[^1]["ReasonCode"], (string?)planned["reasonCode"]);
        Assert.True(JsonNode.DeepEquals(Assert.Single(host.LoggedPatches), planned["patch"]));
    }

    [Fact]
    public async Task A_plan_needs_the_same_credentials_as_the_webhook_and_refuses_bad_input_like_it()
    {
        await using var host = await PlanHost.StartAsync(azurite);

        var (unauthorized, _) = await host.PlanAsync(UpScale, Webhooks.Request(UpScale, headers: new Dictionary<string, string> { ["x-functions-key"] = "wrong" }));
        var (notJson, _) = await host.PlanAsync(UpScale, Webhooks.Request(UpScale, contentType: "text/plain"));
        var (notWebhook, _) = await host.PlanAsync("{\"alerts\": 3}");

        Assert.Equal((401, 415, 400), (unauthorized, notJson, notWebhook));
        Assert.Empty(host.Api.Requests);
    }

    [Fact]
    public async Task No_broker_configuration_value_reaches_a_plan_neither_for_an_upScale_nor_for_removing_that_broker()
    {
        const string Password = "jaas-password-never-shown-3c9d";
        await using var host = await PlanHost.StartAsync(azurite, cluster: SecretInBroker(Password));

        var (_, body) = await host.PlanAsync(Webhooks.Firing(
            Webhooks.Alert("Overloaded", "upScale"),
            Webhooks.Alert("Idle", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "2" })));

        Assert.Equal(2, body["commands"]!.AsArray().Count);
        Assert.DoesNotContain(Password, body.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Broker 2 with a JAAS config in its readOnlyConfig, as SASL clusters have.</summary>
    internal static Action<JsonObject> SecretInBroker(string password) => cluster =>
    {
        var broker = cluster["spec"]!["brokers"]!.AsArray().Single(b => (long)b!["id"]! == 2)!.AsObject();
        broker["readOnlyConfig"] = $"listener.name.sasl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"{password}\";";
    };
}
