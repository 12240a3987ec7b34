using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleFunctions.Decisions;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// The rebalance check with Kubernetes in the loop: Cruise Control reached through the API server's service proxy,
/// Koperator's CruiseControlOperation as the way to start a rebalance, and the executor's real view of the KafkaCluster.
/// </summary>
public sealed class RebalanceOnKubernetesIntegrationTest : IAsyncLifetime
{
    private const string Token = "service-account-token";
    private const string Service = "kafka-cruisecontrol-svc";
    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 2, 55, 0, TimeSpan.Zero);
    private readonly ObservedClock time = new(Start);
    private CruiseControlDouble cruiseControl = null!;
    private KubernetesApiDouble api = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        api = new KubernetesApiDouble { Authorize = token => token == Token }
            .WithServiceProxy("kafka", Service, 8090, cruiseControl)
            .WithCruiseControlOperationCrd();
        api.SeedKafkaCluster();
        await api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await cruiseControl.DisposeAsync();
    }

    /// <summary>
    /// Runs a check that starts an operation and follows it: each time the check waits <see cref="FollowInterval"/> for
    /// its next look, Koperator reports the next of <paramref name="states"/>; then the check must end on its own.
    /// </summary>
    private async Task<string> RunWhileKoperatorReportsAsync(RebalanceTestHost host, params string[] states)
    {
        var run = host.Check.RunAsync(CancellationToken.None);
        string? name = null;
        foreach (var state in states)
        {
            await time.WaitUntilWaitingAsync(FollowInterval);
            name ??= (string)Operations.Single()["metadata"]!["name"]!;
            api.SetCruiseControlTask(name, "rebalance", state);
            time.Advance(FollowInterval);
        }

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        return name!;
    }

    /// <summary>The follow's GETs of one operation (the check's own reading is a list).</summary>
    private int LooksAt(string name) =>
        api.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/cruisecontroloperations/{name}", StringComparison.Ordinal));

    private RebalanceTestHost Host(string via, bool fakeActivity = false, string service = Service, string followInterval = "00:00:00", int followPolls = 1) => new(
        new Dictionary<string, string?>
        {
            ["Rebalance__FollowInterval"] = followInterval,
            ["Clusters__0__Namespace"] = "kafka",
            ["Clusters__0__Name"] = "kafka",
            ["Clusters__0__CruiseControl__Service"] = service,
            ["Clusters__0__CruiseControl__ExecuteVia"] = via,
            ["Rebalance__OperationTtlSeconds"] = "3600",
            ["Rebalance__FollowPolls"] = followPolls.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services => services.AddSingleton<TimeProvider>(time),
        new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = api.BaseUri.ToString().TrimEnd('/'), AccessToken = Token }),
        fakeActivity);

    private IReadOnlyList<JsonObject> Operations => api.CruiseControlOperations();

    [Fact]
    public async Task Cruise_control_is_reached_through_the_service_proxy_with_the_kubernetes_credentials()
    {
        await using var host = Host("Direct");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        var proxied = api.Requests.Where(r => r.Path.Contains("/proxy/", StringComparison.Ordinal)).ToList();
        Assert.Contains(proxied, r => r.Path == $"/api/v1/namespaces/kafka/services/{Service}:8090/proxy/kafkacruisecontrol/state");
        Assert.Contains(proxied, r => r.Path.EndsWith("/proxy/kafkacruisecontrol/rebalance", StringComparison.Ordinal) && r.Query.Contains("dryrun=false", StringComparison.Ordinal));
        Assert.All(proxied, r => Assert.Equal(Token, r.BearerToken));
        Assert.Equal(proxied.Count, cruiseControl.Requests.Count);
        Assert.All(cruiseControl.Requests, r => Assert.Null(r.Header("Authorization")));
        Assert.Single(cruiseControl.Requests, r => r.StartsExecution);
    }

    [Fact]
    public async Task The_health_check_reports_reachability_through_the_proxy_without_secrets()
    {
        await using var host = Host("Direct");
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync(r => r.Name == "cruisecontrol:kafka/kafka");

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal($"service proxy kafka/{Service}:8090", entry.Data["endpoint"]);
        Assert.Equal("NO_TASK_IN_PROGRESS", entry.Data["executor"]);
        Assert.DoesNotContain(entry.Data.Values, v => v.ToString()!.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_without_endpoints_is_an_unhealthy_cruise_control_and_a_refused_check()
    {
        // The operator configured another service and granted its proxy, as rbac.yaml's comment says to.
        api.Rbac = RbacPolicy.ShippedForServiceProxy("missing-svc:8090");
        await using var host = Host("Direct", service: "missing-svc");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "cruisecontrol:kafka/kafka");
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("no endpoints available for service", (string)report.Entries.Single().Value.Data["error"]);
        Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task A_koperator_cluster_rebalances_through_a_cruise_control_operation_koperator_picks_up()
    {
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        Assert.Contains("via Operator (CruiseControlOperation kafka/kafka-rebalance-20250301-025500)", host.Decision.Reason);
        Assert.DoesNotContain(cruiseControl.Requests, r => r.StartsExecution);

        var operation = Assert.Single(Operations);
        var cluster = api.GetKafkaCluster();
        Assert.Equal("kafka", (string?)operation["metadata"]!["labels"]!["kafka_cr"]);
        var owner = operation["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("KafkaCluster", "kafka", (string?)cluster["metadata"]!["uid"]), ((string?)owner["kind"], (string?)owner["name"], (string?)owner["uid"]));
        Assert.Equal(("ignore", 3600), ((string?)operation["spec"]!["errorPolicy"], (int?)operation["spec"]!["ttlSecondsAfterFinished"]));
        var task = operation["status"]!["currentTask"]!;
        Assert.Equal("rebalance", (string?)task["operation"]);
        Assert.Equal("true", (string?)task["parameters"]!["exclude_recently_removed_brokers"]);
        Assert.Null(task["state"]);

        // Koperator's controller reacts to the status update that sets the task (its create event is filtered out).
        var statusWrite = Assert.Single(api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/status", StringComparison.Ordinal));
        Assert.Contains("/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations/", statusWrite.Path);
    }

    [Fact]
    public async Task A_started_operation_is_followed_until_koperator_reports_it_completed()
    {
        await using var host = Host("Operator", followInterval: "00:00:30", followPolls: 6);

        // First look: still executing, so the check waits again; second look: completed, so it stops following.
        var name = await RunWhileKoperatorReportsAsync(host, "InExecution", "Completed");

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        Assert.Equal(2, LooksAt(name));
        Assert.Equal(2 * FollowInterval, time.GetUtcNow() - Start);
        var result = Assert.Single(host.Results);
        Assert.Equal(($"CruiseControlOperation kafka/{name}", "Completed (user task 0230d401-6a36-430e-9858-fac8f2edde93)"), (result["Execution"], result["Result"]));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Message.Contains("still running after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_second_operation_while_one_is_unfinished_and_a_new_one_once_it_completed()
    {
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(5));
        await host.Check.RunAsync(CancellationToken.None);
        var name = (string)Operations.Single()["metadata"]!["name"]!;
        api.SetCruiseControlTask(name, "rebalance", "InExecution");
        time.Advance(TimeSpan.FromMinutes(5));
        await host.Check.RunAsync(CancellationToken.None);
        api.SetCruiseControlTask(name, "rebalance", "Completed");
        time.Advance(TimeSpan.FromMinutes(5));
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(
            [DecisionOutcome.Acted, DecisionOutcome.Deferred, DecisionOutcome.Deferred, DecisionOutcome.Acted],
            host.Decisions.Select(d => d.Outcome));
        Assert.Contains($"unfinished CruiseControlOperations: {name} (rebalance waiting)", host.Decisions[1].Reason);
        Assert.Contains($"{name} (rebalance InExecution)", host.Decisions[2].Reason);
        Assert.Equal(2, Operations.Count);
    }

    [Theory]
    [InlineData("add_broker", "Active", "retry", true)]
    [InlineData("remove_broker", "CompletedWithError", "retry", true)]
    [InlineData("remove_broker", "CompletedWithError", "ignore", false)]
    [InlineData("add_broker", "Completed", "retry", false)]
    [InlineData("status", "Active", "retry", false)]
    public async Task Koperators_own_unfinished_operations_hold_the_rebalance_back(string operation, string state, string errorPolicy, bool blocks)
    {
        api.SeedCruiseControlOperation("kafka-addbroker-x7k2p", operation, state, errorPolicy: errorPolicy);
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(blocks ? DecisionOutcome.Deferred : DecisionOutcome.Acted, host.Decision.Outcome);
        Assert.Equal(blocks ? 1 : 2, Operations.Count);
    }

    [Fact]
    public async Task Operations_of_another_cluster_do_not_count()
    {
        api.SeedCruiseControlOperation("other-rebalance-1", "rebalance", "InExecution", cluster: "other");
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        var list = Assert.Single(api.Requests, r => r.Method == "GET" && r.Path == "/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations");
        Assert.Contains("labelSelector=kafka_cr%3Dkafka", list.Query);
    }

    [Fact]
    public async Task Never_rebalances_while_the_kafka_cluster_has_graceful_actions_pending()
    {
        api.SetBrokerState("kafka", "kafka", 1, "GracefulDownscaleRunning");
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("graceful actions pending", host.Decision.Reason);
        Assert.Empty(Operations);
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task Never_rebalances_while_the_kafka_cluster_is_not_running()
    {
        api.SetClusterStatus("kafka", "kafka", KafkaClusterFixture.Reconciling);
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("ClusterReconciling", host.Decision.Reason);
        Assert.Empty(Operations);
    }

    [Fact]
    public async Task A_kubernetes_refusal_is_refused_with_the_api_servers_words_and_leaves_nothing_behind()
    {
        api.Faults.Forbid("PATCH", "/status");
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.Contains("forbidden", host.Decision.Reason);
        Assert.DoesNotContain("Operation returned an invalid status code", host.Decision.Reason);
        Assert.Empty(Operations);
    }

    [Fact]
    public async Task Dry_run_creates_no_operation()
    {
        await using var host = new RebalanceTestHost(
            new Dictionary<string, string?>
            {
                ["Clusters__0__Namespace"] = "kafka",
                ["Clusters__0__Name"] = "kafka",
                ["Clusters__0__CruiseControl__Service"] = Service,
                ["Rebalance__DryRun"] = "true",
            },
            kubernetes: new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = api.BaseUri.ToString().TrimEnd('/'), AccessToken = Token }),
            fakeActivity: false);

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Contains("would rebalance via Operator", host.Decision.Reason);
        Assert.Empty(Operations);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task An_operation_still_running_after_the_follow_has_its_result_logged_once_by_a_later_check()
    {
        api.SeedCruiseControlOperation("kafka-addbroker-x7k2p", "add_broker", "Completed");
        await using var host = Host("Operator");

        await host.Check.RunAsync(CancellationToken.None);
        var name = (string)Operations.Single(o => (string?)o["metadata"]!["name"] != "kafka-addbroker-x7k2p")["metadata"]!["name"]!;
        Assert.Empty(host.Results);
        api.SetCruiseControlTask(name, "rebalance", "Completed");
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
        time.Advance(TimeSpan.FromMinutes(5));
        await host.Check.RunAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(5));
        await host.Check.RunAsync(CancellationToken.None);

        var result = Assert.Single(host.Results);
        Assert.Equal($"CruiseControlOperation kafka/{name}", result["Execution"]);
        Assert.Equal("Completed (user task 0230d401-6a36-430e-9858-fac8f2edde93)", result["Result"]);
        var operation = Operations.Single(o => (string?)o["metadata"]!["name"] == name);
        Assert.Equal("Completed", (string?)operation["metadata"]!["annotations"]![CruiseControlOperations.ResultLoggedAnnotation]);
        var mark = Assert.Single(api.Requests, r => r.Method == "PATCH" && r.Path.EndsWith($"/cruisecontroloperations/{name}", StringComparison.Ordinal));
        Assert.Contains("\"resourceVersion\"", mark.Body);

        // Koperator's own operations are not this app's to report.
        var koperators = Operations.Single(o => (string?)o["metadata"]!["name"] == "kafka-addbroker-x7k2p");
        Assert.Null(koperators["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task A_result_logged_while_following_is_not_logged_again()
    {
        await using var host = Host("Operator", followInterval: "00:00:30");

        var name = await RunWhileKoperatorReportsAsync(host, "CompletedWithError");
        Assert.Equal(1, LooksAt(name));
        cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
        await host.Check.RunAsync(CancellationToken.None);

        var result = Assert.Single(host.Results);
        Assert.StartsWith("CompletedWithError", result["Result"]);
        Assert.Equal("CompletedWithError", (string?)Operations.Single()["metadata"]!["annotations"]![CruiseControlOperations.ResultLoggedAnnotation]);
    }

    [Fact]
    public async Task Koperator_operations_hold_a_direct_rebalance_of_a_kafka_cluster_back_too()
    {
        api.SeedCruiseControlOperation("kafka-addbroker-x7k2p", "add_broker", "InExecution");
        await using var host = Host("Direct");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Deferred, host.Decision.Outcome);
        Assert.Contains("unfinished CruiseControlOperations: kafka-addbroker-x7k2p (add_broker InExecution)", host.Decision.Reason);
        Assert.DoesNotContain(cruiseControl.Requests, r => r.StartsExecution);
    }
}
