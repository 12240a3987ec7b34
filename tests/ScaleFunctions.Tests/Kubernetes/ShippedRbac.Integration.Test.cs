using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.Strimzi;
using ScaleFunctions.Storage;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;
using ScaleFunctions.Tests.Execution;
using ScaleFunctions.Tests.Rebalance;
using ScaleFunctions.Tests.Strimzi;

namespace ScaleFunctions.Tests.Kubernetes;

/// <summary>
/// deploy/kubernetes/rbac.yaml against what the app really sends, with the Kubernetes double enforcing it the way the
/// API server's RBAC authorizer does: each feature works with only its own Role bound (the sample settings: Cruise
/// Control behind the service proxy), every rule is used by that feature (no grant nothing sends), and a 403 from any
/// call is a Forbidden refusal naming the missing permission, never a retry.
/// </summary>
public sealed class ShippedRbacIntegrationTest : IAsyncLifetime
{
    private const string ExecutorRole = "scalefunctions-executor";
    private const string RebalanceRole = "scalefunctions-rebalance";
    private const string Proxy = RbacPolicy.ShippedServiceProxy;

    private static readonly DateTimeOffset Start = new(2025, 3, 1, 2, 55, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider time = new(Start);
    private CruiseControlDouble cruiseControl = null!;
    private KubernetesApiDouble api = null!;

    public async Task InitializeAsync()
    {
        cruiseControl = await CruiseControlDouble.StartAsync();
        api = new KubernetesApiDouble()
            .WithServiceProxy("kafka", "kafka-cruisecontrol-svc", 8090, cruiseControl)
            .WithCruiseControlOperationCrd()
            .WithStrimziCrds();
        api.SeedKafkaCluster();
        await api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await api.DisposeAsync();
        await cruiseControl.DisposeAsync();
    }

    [Fact]
    public async Task The_double_answers_a_call_the_role_does_not_grant_with_the_api_servers_403_status()
    {
        api.Rbac = RbacPolicy.Shipped(ExecutorRole);
        using var client = api.CreateClient();

        // A PUT of the whole KafkaCluster as read: the executor writes with patch, the Role grants no update.
        var cluster = JsonSerializer.SerializeToNode(await client.CustomObjects.GetNamespacedCustomObjectAsync(
            KoperatorFiles.Group, KoperatorFiles.Version, "kafka", KoperatorFiles.KafkaClusters, "kafka"))!;
        var put = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
            cluster, KoperatorFiles.Group, KoperatorFiles.Version, "kafka", KoperatorFiles.KafkaClusters, "kafka"));
        var status = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{}", V1Patch.PatchType.MergePatch), KoperatorFiles.Group, KoperatorFiles.Version, "kafka", KoperatorFiles.KafkaClusters, "kafka"));
        var list = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListNamespacedCustomObjectAsync(
            KoperatorFiles.Group, KoperatorFiles.Version, "kafka", KoperatorFiles.KafkaClusters));
        using var http = new HttpClient();
        using var otherProxy = await http.GetAsync(new Uri(api.BaseUri, "api/v1/namespaces/kafka/services/kafka-cruisecontrol-svc:9090/proxy/kafkacruisecontrol/state"));
        using var post = await http.PostAsync(new Uri(api.BaseUri, $"api/v1/namespaces/kafka/services/{Proxy}/proxy/kafkacruisecontrol/rebalance"), null);

        var forbidden = JsonSerializer.Deserialize<V1Status>(put.Response.Content)!;
        Assert.Equal((403, "Forbidden", "Failure"), (forbidden.Code, forbidden.Reason, forbidden.Status));
        Assert.Equal(
            "kafkaclusters.kafka.banzaicloud.io \"kafka\" is forbidden: User \"system:serviceaccount:kafka:scalefunctions\" cannot update resource \"kafkaclusters\" in API group \"kafka.banzaicloud.io\" in the namespace \"kafka\"",
            forbidden.Message);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(api.GetKafkaCluster()));
        Assert.Equal(("kafka", "kafka.banzaicloud.io", "kafkaclusters"), (forbidden.Details.Name, forbidden.Details.Group, forbidden.Details.Kind));
        Assert.Contains("cannot patch resource \"kafkaclusters/status\"", JsonSerializer.Deserialize<V1Status>(status.Response.Content)!.Message, StringComparison.Ordinal);
        Assert.StartsWith("kafkaclusters.kafka.banzaicloud.io is forbidden: User \"system:serviceaccount:kafka:scalefunctions\" cannot list resource \"kafkaclusters\"",
            JsonSerializer.Deserialize<V1Status>(list.Response.Content)!.Message, StringComparison.Ordinal);
        var proxyStatus = JsonSerializer.Deserialize<V1Status>(await otherProxy.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Forbidden, otherProxy.StatusCode);
        Assert.Equal(
            "services \"kafka-cruisecontrol-svc:9090\" is forbidden: User \"system:serviceaccount:kafka:scalefunctions\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"kafka\"",
            proxyStatus.Message);
        Assert.Equal(("kafka-cruisecontrol-svc:9090", null, "services"), (proxyStatus.Details.Name, proxyStatus.Details.Group, proxyStatus.Details.Kind));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task The_executor_acts_with_only_its_role_and_uses_every_permission_the_role_grants()
    {
        api.Rbac = RbacPolicy.Shipped(ExecutorRole);
        await using var executor = Executor();

        // upScale: read, Cruise Control state and unfinished operations (the rebalance-in-progress check), write.
        await executor.HandleAsync(executor.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));
        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        // downScale with no broker named: Cruise Control's replica counts choose the broker (then the flap guard defers it).
        time.Advance(TimeSpan.FromHours(2));
        await executor.HandleAsync(executor.Command(ScaleCommandKind.DownScale));

        // A Strimzi cluster in the same namespace, with the same Role.
        StrimziTestCluster.Seed(api);
        await using (var strimzi = await StrimziTestCluster.ExecutorAsync(api))
        {
            // upScale: the Kafka (get), its node pools and KafkaRebalances (list), the pool (patch).
            await strimzi.HandleAsync(strimzi.StrimziCommand(ScaleCommandKind.UpScale));
            Assert.Equal(DecisionOutcome.Acted.ToString(), strimzi.LastDecision["Outcome"]);
            StrimziTestCluster.SetPoolStatus(api, "broker", [3, 4, 5, 6]);

            // A patch the API server rejects (422): the pool is read again (get) to tell a lost race from a rejection.
            api.Faults.Fail(422, "Invalid", "PATCH", "kafkanodepools");
            strimzi.Time.Advance(TimeSpan.FromHours(1));
            await strimzi.HandleAsync(strimzi.StrimziCommand(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "10Gi" }, new ScaleTarget(PersistentVolumeClaim: "data-0-my-cluster-broker-3")));
            Assert.Equal(ReasonCodes.RejectedByApiServer, strimzi.LastDecision["ReasonCode"]);

            // downScale: the drain's KafkaRebalance (create); once it is Ready, the broker removed and the rebalance deleted.
            strimzi.Time.Advance(TimeSpan.FromHours(2));
            await strimzi.HandleAsync(strimzi.StrimziCommand(ScaleCommandKind.DownScale));
            Assert.Equal(ReasonCodes.DrainStarted, strimzi.LastDecision["ReasonCode"]);
            StrimziTestCluster.SetRebalanceState(api, "my-cluster-scalefunctions-drain-6", StrimziNames.RebalanceStates.Ready);
            await strimzi.HandleAsync(strimzi.Queue.Deferred[^1].Command);
            Assert.Equal(DecisionOutcome.Acted.ToString(), strimzi.LastDecision["Outcome"]);
        }

        AssertEveryRequestAllowedAndEveryGrantUsed(api.Rbac);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(api.GetKafkaCluster()).Take(3));
        Assert.Contains(cruiseControl.Requests, r => r.Endpoint == "kafka_cluster_state");
    }

    [Fact]
    public async Task The_rebalance_check_acts_with_only_its_role_and_uses_every_permission_the_role_grants()
    {
        api.Rbac = RbacPolicy.Shipped(RebalanceRole);

        // Via Koperator: list, the cluster's state, its uid, create, /status, follow.
        await using (var host = Rebalance("Operator"))
        {
            await host.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        }

        // The operation finished: its result is logged and the operation annotated (patch); the next start's /status
        // write fails, so the task-less operation is deleted.
        var first = (string)api.CruiseControlOperations().Single()["metadata"]!["name"]!;
        api.SetCruiseControlTask(first, "rebalance", "Completed");
        api.Faults.Fail(500, "InternalError", "PATCH", "/status");
        time.Advance(TimeSpan.FromMinutes(5));
        await using (var host = Rebalance("Operator"))
        {
            await host.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        }

        // Direct: POST rebalance through the proxy (create).
        time.Advance(TimeSpan.FromMinutes(5));
        await using (var host = Rebalance("Direct"))
        {
            await host.Check.RunAsync(CancellationToken.None);
            Assert.Equal(DecisionOutcome.Acted, host.Decision.Outcome);
        }

        // Strimzi (KafkaNodePool): the Kafka (get), its KafkaRebalances (list), a proposal asked for (create), approved
        // (patch), and deleted once Ready (delete).
        var strimzi = new StrimziRebalanceStates(api, time);
        strimzi.SeedKafka();
        StrimziRebalanceStates.SeedPool(api); // the scale activity reads the node pools (list)
        var own = StrimziRebalanceCheck.NameFor(new ManagedClusterOptions { Name = StrimziRebalanceStates.Cluster });
        foreach (var step in new Action[] { () => { }, () => strimzi.ProposalReady(own, 70, 90), () => strimzi.SetState(own, StrimziNames.RebalanceStates.Ready) })
        {
            step();
            await using var host = StrimziRebalance();
            await host.Check.RunAsync(CancellationToken.None);
            Assert.NotEqual(DecisionOutcome.Refused, host.Decision.Outcome);
        }

        AssertEveryRequestAllowedAndEveryGrantUsed(api.Rbac);
        Assert.Single(api.CruiseControlOperations());
        Assert.Null(api.Store.Find(StrimziRebalanceStates.Key(own)));
    }

    [Fact]
    public async Task A_forbidden_cruise_control_proxy_refuses_the_broker_count_change_naming_the_permission()
    {
        // An executor Role without the services/proxy rule (the shipped Role before this fix).
        api.Rbac = RbacPolicy.FromYaml(ShippedWithout("services/proxy"), ExecutorRole);
        await using var executor = Executor();

        await executor.HandleAsync(executor.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));

        var decision = executor.LastDecision;
        Assert.Equal(DecisionOutcome.Refused.ToString(), decision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.Forbidden}: the API server refused get on services/proxy \"{Proxy}\" in API group \"\" in namespace kafka", decision["Reason"], StringComparison.Ordinal);
        Assert.Contains("cannot get resource \"services/proxy\" in API group \"\" in the namespace \"kafka\"", decision["Reason"], StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
        Assert.Empty(cruiseControl.Requests);
    }

    [Fact]
    public async Task A_forbidden_operation_list_refuses_the_broker_count_change_naming_the_permission()
    {
        api.Rbac = RbacPolicy.FromYaml(ShippedWithout("cruisecontroloperations"), ExecutorRole);
        await using var executor = Executor();

        await executor.HandleAsync(executor.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));

        Assert.Equal(DecisionOutcome.Refused.ToString(), executor.LastDecision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.Forbidden}: the API server refused list on cruisecontroloperations in API group \"kafka.banzaicloud.io\" in namespace kafka",
            executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Theory]
    [InlineData("GET", "get")]
    [InlineData("PATCH", "patch")]
    public async Task A_forbidden_kafkacluster_call_is_refused_on_the_first_delivery_naming_verb_resource_and_name(string method, string verb)
    {
        api.Rbac = RbacPolicy.Shipped(ExecutorRole);
        api.Faults.Forbid(method, "/kafkaclusters/");
        await using var executor = Executor();

        // Delivery 1 of 5: no exception (the queue would deliver it again), one decision.
        await executor.HandleAsync(executor.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));

        var decision = Assert.Single(executor.Decisions);
        Assert.Equal(DecisionOutcome.Refused.ToString(), decision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.Forbidden}: the API server refused {verb} on kafkaclusters \"kafka\" in API group \"kafka.banzaicloud.io\" in namespace kafka",
            decision["Reason"], StringComparison.Ordinal);
        Assert.Contains($"cannot {verb} resource \"kafkaclusters\"", decision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kubernetes_health_check_names_the_missing_permission()
    {
        api.Rbac = RbacPolicy.FromYaml(ShippedWithout("kafkaclusters"), ExecutorRole);
        await using var executor = Executor();

        var report = await executor.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "kubernetes:kafka/kafka");

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("HTTP 403: the API server refused get on kafkaclusters \"kafka\" in API group \"kafka.banzaicloud.io\" in namespace kafka", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forbidden_call_of_the_rebalance_check_is_a_forbidden_refusal_naming_the_permission()
    {
        api.Rbac = RbacPolicy.FromYaml(ShippedWithout("services/proxy"), RebalanceRole);
        await using var host = Rebalance("Operator");

        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.StartsWith($"{ReasonCodes.Forbidden}: the API server refused get on services/proxy \"{Proxy}\"", host.Decision.Reason, StringComparison.Ordinal);
        Assert.Empty(api.CruiseControlOperations());
    }

    /// <summary>
    /// Every request the double saw was allowed, and every (verb, resource, name) the policy's rules grant was asked
    /// for at least once: a grant no call uses is more than the feature needs.
    /// </summary>
    private void AssertEveryRequestAllowedAndEveryGrantUsed(RbacPolicy policy)
    {
        var asked = api.Authorizations;
        Assert.All(asked, a => Assert.True(a.Allowed, $"refused: {a.Request}"));
        var unused = (from rule in policy.Rules
                      from verb in rule.Verbs
                      from resource in rule.Resources
                      from name in rule.ResourceNames.Count == 0 ? [""] : rule.ResourceNames
                      where !asked.Any(a => a.Request.Verb == verb && a.Request.QualifiedResource == resource
                          && rule.ApiGroups.Contains(a.Request.Group) && (name.Length == 0 || a.Request.Name == name))
                      select $"{rule.Role}: {verb} {resource}{(name.Length == 0 ? "" : $" \"{name}\"")}").ToList();
        Assert.True(unused.Count == 0, $"granted but never used: {string.Join("; ", unused)}. Used: {string.Join("; ", asked.Select(a => a.Request).Distinct())}");
    }

    /// <summary>The shipped manifest without the rules for <paramref name="resource"/> (a Role edited by hand, or the old one).</summary>
    private static string ShippedWithout(string resource)
    {
        var yaml = File.ReadAllText(ScaleFunctions.Testing.ReferenceFiles.InRepository(RbacPolicy.ShippedFile));
        var lines = yaml.Split('\n').ToList();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Contains($"resources: [\"{resource}\"]", StringComparison.Ordinal))
            {
                // A rule is "  - apiGroups", "    resources", optional "    resourceNames", "    verbs".
                var start = i - 1;
                var end = i + 1;
                while (end < lines.Count && lines[end].StartsWith("    ", StringComparison.Ordinal))
                {
                    end++;
                }

                lines.RemoveRange(start, end - start);
                i = start - 1;
            }
        }

        return string.Join('\n', lines);
    }

    private RealExecutor Executor() => new(api, time);

    private RebalanceTestHost Rebalance(string via) => new(
        new Dictionary<string, string?>
        {
            ["Clusters__0__Namespace"] = "kafka",
            ["Clusters__0__Name"] = "kafka",
            ["Clusters__0__CruiseControl__Service"] = "kafka-cruisecontrol-svc",
            ["Clusters__0__CruiseControl__ExecuteVia"] = via,
            ["Rebalance__FollowPolls"] = "1",
        },
        services => services.AddSingleton<TimeProvider>(time),
        api.CreateClient(),
        fakeActivity: false);

    /// <summary>The rebalance check of Strimzi's cluster kafka/my-cluster, its scale activity read through the Strimzi adapter.</summary>
    private RebalanceTestHost StrimziRebalance() => new(
        new Dictionary<string, string?>
        {
            ["Clusters__0__Namespace"] = StrimziRebalanceStates.Namespace,
            ["Clusters__0__Name"] = StrimziRebalanceStates.Cluster,
            ["Clusters__0__Kind"] = "KafkaNodePool",
            ["Clusters__0__NodePools__0__Name"] = "broker",
        },
        services => services.AddSingleton<TimeProvider>(time),
        api.CreateClient(),
        fakeActivity: false);

    /// <summary>
    /// The executor as the app builds it with the sample's Cruise Control settings (service proxy), its real
    /// rebalance-in-progress check and replica counts, against the double; fake alert resolutions and deferral queue.
    /// </summary>
    private sealed class RealExecutor : IAsyncDisposable
    {
        private readonly ServiceProvider services;
        private readonly TimeProvider time;
        private int number;

        public RealExecutor(KubernetesApiDouble api, TimeProvider time)
        {
            this.time = time;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
                ["ScaleCommandQueue"] = "scale-commands",
                ["Clusters:0:Namespace"] = "kafka",
                ["Clusters:0:Name"] = "kafka",
                ["Clusters:0:Kind"] = "KafkaCluster",
                ["Clusters:0:MinBrokers"] = "2",
                ["Clusters:0:MaxBrokers"] = "6",
                ["Clusters:0:CruiseControl:Service"] = "kafka-cruisecontrol-svc",
                ["Clusters:0:CruiseControl:Port"] = "8090",
                ["CruiseControl:RetryDelay"] = "00:00:00",
                ["CruiseControl:PollInterval"] = "00:00:00",
            }).Build();
            var collection = new ServiceCollection();
            collection.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
            collection.AddScaleFunctions(configuration);
            collection.AddSingleton(time);
            collection.AddSingleton<IKubernetes>(_ => api.CreateClient());
            collection.AddSingleton<IAlertResolutions>(new FakeAlertResolutions());
            collection.AddSingleton<ICommandQueue>(new Execution.RecordingCommandQueue());
            services = collection.BuildServiceProvider();
        }

        public LogRecorder Logs { get; } = new();

        public IServiceProvider Services => services;

        public IReadOnlyList<LogEntry> Decisions =>
            Logs.Entries.Where(e => e.EventId.Id == DecisionLog.DecisionEvent.Id && e["Stage"] == ScaleExecutor.Stage).ToList();

        public LogEntry LastDecision => Decisions[^1];

        public ScaleCommand Command(ScaleCommandKind kind, ScaleParameters? parameters = null)
        {
            var n = Interlocked.Increment(ref number);
            var now = time.GetUtcNow();
            return new ScaleCommand
            {
                IdempotencyKey = $"key-{n}",
                Command = kind,
                Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
                Target = ScaleTarget.Cluster,
                Parameters = parameters ?? new ScaleParameters(),
                Alerts = [new AlertRef($"fp{n}", "KafkaAlert", now.AddMinutes(-1))],
                CreatedAt = now,
                ExpiresAt = now.AddMinutes(15),
            };
        }

        public Task HandleAsync(ScaleCommand command) => services.GetRequiredService<IScaleCommandHandler>()
            .HandleAsync(ScaleCommandCodec.Serialize(command), new QueueMessageContext("message-id", 1), CancellationToken.None);

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
