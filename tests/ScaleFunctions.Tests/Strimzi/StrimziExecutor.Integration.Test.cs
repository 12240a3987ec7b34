using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using static ScaleFunctions.Tests.Strimzi.StrimziTestCluster;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>
/// The executor on a Strimzi cluster (kind KafkaNodePool) in the Kubernetes double with Strimzi's CRDs and the shipped
/// RBAC: each command in Strimzi's terms, the refusals with their reasons (nothing written), and the busy guards.
/// </summary>
public sealed class StrimziExecutorIntegrationTest
{
    [Fact]
    public async Task UpScale_adds_one_broker_to_the_default_pool_in_one_preconditioned_patch_with_the_guard_annotations()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        var version = (string)api.Pool()["metadata"]!["resourceVersion"]!;

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, key: "up-1"));

        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        Assert.Contains("scale node pool broker from 3 to 4 brokers (Strimzi adds node 6", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(4, api.Replicas());
        Assert.Equal(3, api.Replicas("controller"));
        Assert.Contains("up-1", api.Annotation(GuardState.RecentCommandsAnnotation)!, StringComparison.Ordinal);
        var write = Assert.Single(executor.Writes);
        Assert.Equal(("PATCH", "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkanodepools/broker"), (write.Method, write.Path));
        var ops = JsonNode.Parse(write.Body)!.AsArray();
        Assert.Equal(("replace", "/metadata/resourceVersion", version), ((string?)ops[0]!["op"], (string?)ops[0]!["path"], (string?)ops[0]!["value"]));
        Assert.Contains(ops, o => (string?)o!["path"] == "/spec/replicas" && (int)o["value"]! == 4);
        Assert.DoesNotContain(ops, o => ((string?)o!["path"])!.StartsWith("/spec/storage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpScale_names_the_id_from_the_pools_next_node_ids()
    {
        await using var api = await StartApiAsync(broker: p => p["metadata"]!["annotations"] = new JsonObject { [StrimziNames.NextNodeIdsAnnotation] = "[3-5, 100-199]" });
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));

        Assert.Contains("Strimzi adds node 100", executor.LastDecision["Reason"], StringComparison.Ordinal);
    }

    public static TheoryData<string, ScaleParameters, string> Refusals() => new()
    {
        { ReasonCodes.NodePoolNotManaged, new ScaleParameters { BrokerConfigGroup = "pool-b" }, "node pool pool-b is not one the app may scale (Clusters NodePools: broker)" },
        { ReasonCodes.NotPerBroker, new ScaleParameters { Image = "ghcr.io/x/kafka:1", StorageClass = "fast" }, "Strimzi takes no per-broker image, storageClass: every broker of node pool broker has the pool's configuration" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task An_upScale_Strimzi_cannot_take_is_refused_with_its_reason_and_writes_nothing(string code, ScaleParameters parameters, string reason)
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, parameters));

        Assert.Equal((DecisionOutcome.Refused.ToString(), code), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.Contains(reason, executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(executor.Writes);
    }

    [Fact]
    public async Task A_pool_with_the_controller_role_is_never_scaled_even_when_configured()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Clusters:0:NodePools:1:Name"] = "controller");

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "controller" }));

        Assert.Equal(ReasonCodes.ControllerNodePool, executor.LastDecision["ReasonCode"]);
        Assert.Contains("has roles [controller]; the app scales broker-only pools", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(executor.Writes);
    }

    [Fact]
    public async Task The_pools_maximum_holds_below_the_clusters()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Clusters:0:NodePools:0:MaxBrokers"] = "3");

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));

        Assert.Equal(ReasonCodes.MaxBrokers, executor.LastDecision["ReasonCode"]);
        Assert.Contains("node pool broker has 3 brokers; one more would exceed its MaxBrokers 3", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(3, api.Replicas());
    }

    [Fact]
    public async Task The_clusters_maximum_counts_the_brokers_of_every_broker_pool()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Clusters:0:MaxBrokers"] = "3");

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));

        Assert.Equal(ReasonCodes.MaxBrokers, executor.LastDecision["ReasonCode"]);
        Assert.Contains("the cluster has 3 brokers; one more would exceed MaxBrokers 3", executor.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_busy_state_of_Strimzi_defers_with_its_own_reason_code()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        SetKafkaReady(api, ready: false, reason: "ReconciliationInProgress");
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        Assert.Equal((DecisionOutcome.Deferred.ToString(), ReasonCodes.KafkaNotReady), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.Contains("Kafka my-cluster is not Ready: Ready=False (ReconciliationInProgress)", executor.LastDecision["Reason"], StringComparison.Ordinal);
        SetKafkaReady(api, ready: true);

        SetPoolStatus(api, "broker", [3, 4], replicas: 2);
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        Assert.Equal(ReasonCodes.NodePoolScaling, executor.LastDecision["ReasonCode"]);
        Assert.Contains("node pool broker is reconciling: spec.replicas 3, status.replicas 2", executor.LastDecision["Reason"], StringComparison.Ordinal);
        SetPoolStatus(api, "broker", [3, 4, 5]);

        var full = StrimziFiles.SampleKafkaRebalance();
        full["metadata"]!["labels"]![StrimziNames.ClusterLabel] = Name;
        api.Store.Create(StrimziFiles.RebalanceKey(Namespace, "my-rebalance"), full);
        SetRebalanceState(api, "my-rebalance", StrimziNames.RebalanceStates.Rebalancing);
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        Assert.Equal(ReasonCodes.KafkaRebalanceActive, executor.LastDecision["ReasonCode"]);
        Assert.Contains("KafkaRebalance my-rebalance (mode full) is Rebalancing", executor.LastDecision["Reason"], StringComparison.Ordinal);
        SetRebalanceState(api, "my-rebalance", StrimziNames.RebalanceStates.Ready);

        api.Store.Update(StrimziFiles.KafkaKey(Namespace, Name), k => k["status"]!["autoRebalance"] = new JsonObject
        {
            ["state"] = "RebalanceOnScaleUp",
            ["lastTransitionTime"] = "2025-01-15T10:00:00Z",
            ["modes"] = new JsonArray(new JsonObject { ["mode"] = "add-brokers", ["brokers"] = new JsonArray(6) }),
        }, CustomObjectStore.Scope.Status);
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        Assert.Equal(ReasonCodes.AutoRebalanceActive, executor.LastDecision["ReasonCode"]);

        Assert.Empty(executor.Writes);
        Assert.Equal(4, executor.Queue.Deferred.Count);
    }

    [Fact]
    public async Task With_auto_rebalancing_on_scale_down_one_patch_names_the_broker_and_lowers_the_replicas()
    {
        await using var api = await StartApiAsync(kafka: k => k["spec"]!["cruiseControl"] = new JsonObject
        {
            ["autoRebalance"] = new JsonArray(new JsonObject { ["mode"] = "remove-brokers" }),
        });
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 4)));

        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        Assert.Contains("remove broker 4 (named by the alert) from node pool broker, 3 → 2 brokers; Strimzi moves its replicas off first", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(2, api.Replicas());
        Assert.Equal("[4]", api.Annotation(StrimziNames.RemoveNodeIdsAnnotation));
        Assert.Single(executor.Writes);
    }

    [Theory]
    [InlineData(7, null, ReasonCodes.BrokerNotFound, "broker 7 is not a node of node pool broker (nodes 3, 4, 5)")]
    [InlineData(1, null, ReasonCodes.NodePoolNotManaged, "node pool controller is not one the app may scale")]
    [InlineData(null, "3", ReasonCodes.MinBrokers, "node pool broker has 3 brokers; one fewer would go below its MinBrokers 3")]
    public async Task A_downScale_that_cannot_be_applied_is_refused_before_anything_is_drained(int? brokerId, string? poolMin, string code, string reason)
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api, s => s["Clusters:0:NodePools:0:MinBrokers"] = poolMin ?? "1");

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: brokerId)));

        Assert.Equal((DecisionOutcome.Refused.ToString(), code), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.Contains(reason, executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(executor.Writes);
    }

    [Fact]
    public async Task AddPvc_adds_the_next_jbod_volume_to_the_whole_pool_and_says_so()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "200Gi", StorageClass = "premium" },
            new ScaleTarget(PersistentVolumeClaim: "data-0-my-cluster-broker-4")));

        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        Assert.Contains("add a 200Gi persistent-claim volume (id 1, class premium) to every broker of node pool broker (Strimzi volumes belong to the whole pool)", executor.LastDecision["Reason"], StringComparison.Ordinal);
        var volumes = api.Pool()["spec"]!["storage"]!["volumes"]!.AsArray();
        Assert.Equal(2, volumes.Count);
        Assert.Equal((1, "persistent-claim", "200Gi", "premium", false), ((int)volumes[1]!["id"]!, (string?)volumes[1]!["type"], (string?)volumes[1]!["size"], (string?)volumes[1]!["class"], (bool)volumes[1]!["deleteClaim"]!));
    }

    [Theory]
    [InlineData("persistent-claim", null, ReasonCodes.StorageNotJbod, "node pool broker has persistent-claim storage, not jbod")]
    [InlineData("jbod", "/data", ReasonCodes.NotPerBroker, "Strimzi chooses where a volume is mounted")]
    public async Task AddPvc_refuses_what_Strimzi_storage_cannot_take(string storage, string? mountPath, string code, string reason)
    {
        await using var api = await StartApiAsync(broker: p =>
        {
            if (storage != "jbod")
            {
                p["spec"]!["storage"] = new JsonObject { ["type"] = storage, ["size"] = "100Gi" };
            }
        });
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "100Gi", MountPath = mountPath }));

        Assert.Equal(code, executor.LastDecision["ReasonCode"]);
        Assert.Contains(reason, executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(executor.Writes);
    }

    [Theory]
    [InlineData("50Gi", "150Gi", "")]
    [InlineData("5Ti", "1Ti", " (capped at Executor:MaxDiskSize)")]
    public async Task ResizePvc_grows_the_volume_of_the_alerts_pvc_for_the_whole_pool(string increment, string expected, string capped)
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = increment },
            new ScaleTarget(PersistentVolumeClaim: "data-0-my-cluster-broker-5")));

        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        Assert.Contains($"grow volume 0 of every broker of node pool broker from 100Gi to {expected}{capped}", executor.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(expected, (string?)api.Pool()["spec"]!["storage"]!["volumes"]![0]!["size"]);
    }

    [Theory]
    [InlineData("data-0-other-cluster-broker-5", ReasonCodes.PvcOwnerUnknown)]
    [InlineData("data-3-my-cluster-broker-5", ReasonCodes.StorageNotFound)]
    public async Task ResizePvc_of_a_volume_the_pool_does_not_have_is_refused(string pvc, string code)
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);

        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "10Gi" }, new ScaleTarget(PersistentVolumeClaim: pvc)));

        Assert.Equal(code, executor.LastDecision["ReasonCode"]);
        Assert.Empty(executor.Writes);
    }
}

/// <summary>The executor's own guards on a Strimzi cluster: its memory on the pools, read as one for the cluster.</summary>
public sealed class StrimziGuardsIntegrationTest
{
    [Fact]
    public async Task A_replayed_command_changes_nothing()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        var command = executor.StrimziCommand(ScaleCommandKind.UpScale);

        await executor.HandleAsync(command);
        SetPoolStatus(api, "broker", [3, 4, 5, 6]);
        await executor.HandleAsync(command);

        Assert.Equal(ReasonCodes.Replay, executor.LastDecision["ReasonCode"]);
        Assert.Single(executor.Writes);
        Assert.Equal(4, api.Replicas());
    }

    [Fact]
    public async Task A_second_command_for_an_alert_already_acted_on_changes_nothing()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        var first = executor.StrimziCommand(ScaleCommandKind.UpScale);
        await executor.HandleAsync(first);
        SetPoolStatus(api, "broker", [3, 4, 5, 6]);
        executor.Time.Advance(TimeSpan.FromHours(1));

        // Another webhook carried the same alert episode among others: a new key, the same alert.
        var second = executor.StrimziCommand(ScaleCommandKind.UpScale) with { Alerts = [first.Alerts[0]] };
        await executor.HandleAsync(second);

        Assert.Equal(ReasonCodes.AlertAlreadyActedOn, executor.LastDecision["ReasonCode"]);
        Assert.Single(executor.Writes);
        Assert.Equal(4, api.Replicas());
    }

    [Fact]
    public async Task A_command_older_than_the_last_change_is_superseded_and_a_newer_one_waits_for_the_cooldown()
    {
        await using var api = await StartApiAsync();
        await using var executor = await ExecutorAsync(api);
        var older = executor.StrimziCommand(ScaleCommandKind.UpScale);
        executor.Time.Advance(TimeSpan.FromSeconds(1));
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        SetPoolStatus(api, "broker", [3, 4, 5, 6]);

        await executor.HandleAsync(older);
        Assert.Equal(ReasonCodes.Superseded, executor.LastDecision["ReasonCode"]);

        executor.Time.Advance(TimeSpan.FromMinutes(6)); // past the settle window, inside the scale-up cooldown
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        Assert.Equal((DecisionOutcome.Deferred.ToString(), ReasonCodes.ScaleUpCooldown), (executor.LastDecision["Outcome"], executor.LastDecision["ReasonCode"]));
        Assert.Single(executor.Writes);
    }

    [Fact]
    public async Task The_cooldown_after_one_pools_change_holds_the_other_pool_and_the_maximum_counts_both()
    {
        await using var api = await StrimziTestCluster.Seed(new KubernetesApiDouble(), poolB: true).StartAsync();
        await using var executor = await ExecutorAsync(api, s =>
        {
            s["Clusters:0:NodePools:1:Name"] = "pool-b";
            s["Clusters:0:MaxBrokers"] = "7";
        });
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale));
        SetPoolStatus(api, "broker", [3, 4, 5, 8]);

        executor.Time.Advance(TimeSpan.FromMinutes(6));
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, target: new ScaleTarget(NodePool: "pool-b")));
        Assert.Equal(ReasonCodes.ScaleUpCooldown, executor.LastDecision["ReasonCode"]);
        Assert.Equal(2, api.Replicas("pool-b"));

        executor.Time.Advance(TimeSpan.FromHours(1));
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, target: new ScaleTarget(NodePool: "pool-b")));
        Assert.Equal(DecisionOutcome.Acted.ToString(), executor.LastDecision["Outcome"]);
        SetPoolStatus(api, "pool-b", [6, 7, 9]);

        executor.Time.Advance(TimeSpan.FromHours(1));
        await executor.HandleAsync(executor.StrimziCommand(ScaleCommandKind.UpScale, target: new ScaleTarget(NodePool: "pool-b")));
        Assert.Equal(ReasonCodes.MaxBrokers, executor.LastDecision["ReasonCode"]);
        Assert.Contains("the cluster has 7 brokers; one more would exceed MaxBrokers 7", executor.LastDecision["Reason"], StringComparison.Ordinal);
    }
}
