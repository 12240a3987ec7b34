using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Strimzi;
using States = ScaleFunctions.Strimzi.StrimziNames.RebalanceStates;

namespace ScaleFunctions.Tests.Testing;

/// <summary>The step-driven Strimzi operator simulator behaves as Strimzi does, one <c>Reconcile()</c> at a time.</summary>
public sealed class StrimziSimulatorIntegrationTest
{
    private const string Ns = "kafka";

    [Fact]
    public async Task Seeding_reconciles_to_Strimzis_steady_status()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);

        var kafka = sim.Kafka();
        var condition = Assert.Single(kafka["status"]!["conditions"]!.AsArray());
        Assert.Equal(("Ready", "True"), ((string?)condition!["type"], (string?)condition["status"]));
        Assert.Equal(["broker", "controller"], kafka["status"]!["kafkaNodePools"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.Equal(1, kafka["status"]!["observedGeneration"]!.Deserialize<int>());
        var clusterId = (string?)kafka["status"]!["clusterId"];
        Assert.False(string.IsNullOrEmpty(clusterId));
        var broker = sim.Pool("broker")["status"]!;
        Assert.Equal([0, 1, 2], sim.NodeIds("broker")); // pools in name order, lowest free ids cluster-wide
        Assert.Equal([3, 4, 5], sim.NodeIds("controller"));
        Assert.Equal(3, broker["replicas"]!.Deserialize<int>());
        Assert.Equal(["broker"], broker["roles"]!.AsArray().Select(r => (string)r!));
        Assert.Equal("strimzi.io/cluster=my-cluster,strimzi.io/name=my-cluster-kafka,strimzi.io/kind=Kafka,strimzi.io/pool-name=broker", (string?)broker["labelSelector"]);
        Assert.Equal(clusterId, (string?)broker["clusterId"]);
        Assert.Equal(1, broker["observedGeneration"]!.Deserialize<int>());
        Assert.Equal(new Dictionary<int, int> { [0] = 10, [1] = 10, [2] = 10 }, sim.PartitionReplicas);
        Assert.True(sim.IsSteady());

        var revision = api.Store.CurrentRevision;
        sim.Reconcile();
        Assert.Equal(revision, api.Store.CurrentRevision); // a steady round writes nothing
    }

    [Fact]
    public async Task A_scale_up_is_one_round_in_flight_then_the_new_broker_exists_empty()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        var pool = StrimziFiles.NodePoolKey(Ns, "broker");
        api.Store.Update(pool, p => p["spec"]!["replicas"] = 4);

        sim.Reconcile();
        Assert.Equal(3, sim.Pool("broker")["status"]!["replicas"]!.Deserialize<int>());
        Assert.False(Ready(sim));

        sim.Reconcile();
        Assert.Equal([0, 1, 2, 6], sim.NodeIds("broker")); // 3-5 are the controllers': the lowest free id cluster-wide
        Assert.Equal(4, sim.Pool("broker")["status"]!["replicas"]!.Deserialize<int>());
        Assert.Equal(2, sim.Pool("broker")["status"]!["observedGeneration"]!.Deserialize<int>());
        Assert.Equal(0, sim.PartitionReplicas[6]);
        Assert.True(Ready(sim));
    }

    [Fact]
    public async Task Node_ids_come_from_next_node_ids_in_list_order_and_scale_down_takes_remove_node_ids()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        var pool = StrimziFiles.NodePoolKey(Ns, "broker");
        api.Store.Update(pool, p =>
        {
            p["metadata"]!["annotations"] = new JsonObject { [StrimziNames.NextNodeIdsAnnotation] = "[1, 20-18, 30]" };
            p["spec"]!["replicas"] = 5;
        });

        sim.ReconcileUntil(sim.IsSteady, 3);
        Assert.Equal([0, 1, 2, 19, 20], sim.NodeIds("broker")); // 1 is taken: 20, then 19

        sim.PartitionReplicas[1] = 0;
        api.Store.Update(pool, p =>
        {
            p["metadata"]!["annotations"]![StrimziNames.RemoveNodeIdsAnnotation] = "[7, 1, 19]";
            p["spec"]!["replicas"] = 4;
        });
        sim.ReconcileUntil(sim.IsSteady, 3);
        Assert.Equal([0, 2, 19, 20], sim.NodeIds("broker")); // 7 is not in the pool: the first in use is 1
        Assert.False(sim.PartitionReplicas.ContainsKey(1));
    }

    [Fact]
    public async Task Without_an_annotation_scale_down_removes_the_pools_highest_empty_broker()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        sim.PartitionReplicas[2] = 0;
        api.Store.Update(StrimziFiles.NodePoolKey(Ns, "broker"), p => p["spec"]!["replicas"] = 2);

        sim.Reconcile();
        Assert.False(Ready(sim));
        Assert.Equal(3, sim.Pool("broker")["status"]!["replicas"]!.Deserialize<int>());
        sim.Reconcile();

        Assert.Equal([0, 1], sim.NodeIds("broker"));
        Assert.True(Ready(sim));
        Assert.Empty(sim.RevertedScaleDowns);
    }

    [Fact]
    public async Task Scaling_down_a_broker_that_holds_replicas_is_reverted_with_Strimzis_warning()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        api.Store.Update(StrimziFiles.NodePoolKey(Ns, "broker"), p => p["spec"]!["replicas"] = 2);

        sim.Reconcile();
        sim.Reconcile();

        var pool = sim.Pool("broker");
        Assert.Equal(2, pool["spec"]!["replicas"]!.Deserialize<int>()); // Strimzi does not rewrite the spec
        Assert.Equal(3, pool["status"]!["replicas"]!.Deserialize<int>());
        Assert.Equal([0, 1, 2], sim.NodeIds("broker"));
        var warning = sim.Kafka()["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Warning")!;
        Assert.Equal("True", (string?)warning["status"]);
        Assert.Equal("ScaleDownPreventionCheck", (string?)warning["reason"]);
        Assert.Equal("Reverting scale-down of KafkaNodePool broker by changing number of replicas to 3", (string?)warning["message"]);
        Assert.True(Ready(sim)); // the revert is a warning, the Kafka stays Ready
        var reverted = Assert.Single(sim.RevertedScaleDowns);
        Assert.Equal(("broker", 3), (reverted.Pool, reverted.RevertedTo));
        Assert.Equal([2], reverted.Brokers);
        Assert.Equal(10, sim.PartitionReplicas[2]);
    }

    [Fact]
    public async Task With_remove_brokers_auto_rebalancing_a_scale_down_drains_first_then_removes()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { AutoRebalance = [StrimziNames.RebalanceModes.RemoveBrokers] });
        api.Store.Update(StrimziFiles.NodePoolKey(Ns, "broker"), p => p["spec"]!["replicas"] = 2);
        var name = sim.AutoRebalanceName(StrimziNames.RebalanceModes.RemoveBrokers);
        Assert.Equal("my-cluster-auto-rebalancing-remove-brokers", name);

        sim.Reconcile();
        var autoRebalance = sim.Kafka()["status"]!["autoRebalance"]!;
        Assert.Equal("RebalanceOnScaleDown", (string?)autoRebalance["state"]);
        Assert.Equal("""[{"mode":"remove-brokers","brokers":[2]}]""", autoRebalance["modes"]!.ToJsonString());
        Assert.NotNull(autoRebalance["lastTransitionTime"]);
        var rebalance = sim.Rebalance(name)!;
        Assert.Equal(["strimzi.io/auto-rebalancing"], rebalance["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
        Assert.Equal("true", (string?)rebalance["metadata"]!["annotations"]![StrimziNames.AutoApprovalAnnotation]);
        Assert.Equal("my-cluster", (string?)rebalance["metadata"]!["labels"]![StrimziNames.ClusterLabel]);
        Assert.Equal("""{"mode":"remove-brokers","brokers":[2]}""", rebalance["spec"]!.ToJsonString());

        var states = new List<string>();
        sim.ReconcileUntil(() =>
        {
            if (sim.Rebalance(name) is { } r && (states.Count == 0 || states[^1] != StrimziSimulator.StateOf(r)))
            {
                states.Add(StrimziSimulator.StateOf(r));
            }

            Assert.Equal([0, 1, 2], sim.NodeIds("broker")); // never removed before it is empty
            return sim.Rebalance(name) is null;
        }, 6);
        Assert.Equal([States.New, States.PendingProposal, States.ProposalReady, States.Rebalancing], states);
        Assert.Equal(0, sim.PartitionReplicas[2]);
        Assert.Equal(30, sim.PartitionReplicas.Values.Sum());

        sim.ReconcileUntil(() => sim.NodeIds("broker").Count == 2, 3);
        Assert.Equal([0, 1], sim.NodeIds("broker"));
        Assert.Equal(StrimziNames.AutoRebalanceIdle, sim.AutoRebalanceState());
        Assert.Equal(new Dictionary<int, int> { [0] = 15, [1] = 15 }, sim.PartitionReplicas);
        sim.ReconcileUntil(sim.IsSteady, 2);
    }

    [Fact]
    public async Task With_add_brokers_auto_rebalancing_a_scale_up_moves_replicas_to_the_new_broker()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { AutoRebalance = [StrimziNames.RebalanceModes.AddBrokers, StrimziNames.RebalanceModes.RemoveBrokers] });
        api.Store.Update(StrimziFiles.NodePoolKey(Ns, "broker"), p => p["spec"]!["replicas"] = 4);

        sim.Reconcile();
        sim.Reconcile();
        Assert.Equal([0, 1, 2, 6], sim.NodeIds("broker"));
        Assert.Equal("RebalanceOnScaleUp", sim.AutoRebalanceState());
        Assert.Equal("""[{"mode":"add-brokers","brokers":[6]}]""", sim.Kafka()["status"]!["autoRebalance"]!["modes"]!.ToJsonString());
        Assert.Equal("add-brokers", (string?)sim.Rebalance(sim.AutoRebalanceName("add-brokers"))!["spec"]!["mode"]);

        sim.ReconcileUntil(sim.IsSteady, 8);
        Assert.Null(sim.Rebalance(sim.AutoRebalanceName("add-brokers")));
        Assert.True(sim.PartitionReplicas[6] >= 7);
        Assert.Equal(30, sim.PartitionReplicas.Values.Sum());
    }

    [Fact]
    public async Task A_rebalance_goes_through_Strimzis_states_and_waits_for_approval_which_the_operator_removes()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        sim.PartitionReplicas[0] = 20;
        sim.PartitionReplicas[2] = 0;
        var key = Create(api, "full", StrimziFiles.SampleKafkaRebalance());

        sim.Reconcile();
        Assert.Equal(States.PendingProposal, State(sim, "full"));
        Assert.False(string.IsNullOrEmpty((string?)sim.Rebalance("full")!["status"]!["sessionId"]));
        sim.Reconcile();
        Assert.Equal(States.ProposalReady, State(sim, "full"));
        var result = sim.Rebalance("full")!["status"]!["optimizationResult"]!;
        Assert.Equal(10, result["numReplicaMovements"]!.Deserialize<int>());
        foreach (var field in new[] { "numLeaderMovements", "dataToMoveMB", "onDemandBalancednessScoreBefore", "onDemandBalancednessScoreAfter", "monitoredPartitionsPercentage", "excludedTopics", "provisionStatus", "afterBeforeLoadConfigMap" })
        {
            Assert.NotNull(result[field]);
        }

        sim.Reconcile();
        sim.Reconcile();
        Assert.Equal(States.ProposalReady, State(sim, "full")); // not approved: it waits

        api.Store.Update(key, r => r["metadata"]!["annotations"] = new JsonObject { [StrimziNames.RebalanceAnnotation] = "approve" });
        sim.Reconcile();
        Assert.Equal(States.Rebalancing, State(sim, "full"));
        Assert.Null(sim.Rebalance("full")!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);
        sim.Reconcile();
        Assert.Equal(States.Ready, State(sim, "full"));
        Assert.Equal(new Dictionary<int, int> { [0] = 10, [1] = 10, [2] = 10 }, sim.PartitionReplicas);
        var conditions = sim.Rebalance("full")!["status"]!["conditions"]!.AsArray();
        Assert.Equal("""{"type":"Ready","status":"True"}""", new JsonObject { ["type"] = conditions[0]!["type"]!.DeepClone(), ["status"] = conditions[0]!["status"]!.DeepClone() }.ToJsonString());

        api.Store.Update(key, r => r["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation] = "refresh");
        sim.Reconcile();
        Assert.Equal(States.PendingProposal, State(sim, "full"));
        Assert.Null(sim.Rebalance("full")!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);
    }

    [Fact]
    public async Task The_next_proposal_says_what_the_test_set_and_remove_brokers_empties_the_brokers()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        sim.SetNextProposal(StrimziNames.RebalanceModes.RemoveBrokers, new JsonObject { ["numReplicaMovements"] = 0, ["onDemandBalancednessScoreBefore"] = 99.5 });
        var body = StrimziFiles.SampleKafkaRebalance("kafka-rebalance-remove-brokers.yaml");
        body["spec"]!["brokers"] = new JsonArray(1);
        body["metadata"]!["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true" };
        Create(api, "drain", body);

        sim.ReconcileUntil(() => State(sim, "drain") == States.ProposalReady, 3);
        var result = sim.Rebalance("drain")!["status"]!["optimizationResult"]!;
        Assert.Equal(0, result["numReplicaMovements"]!.Deserialize<int>());
        Assert.Equal(99.5, result["onDemandBalancednessScoreBefore"]!.Deserialize<double>());

        sim.ReconcileUntil(() => State(sim, "drain") == States.Ready, 3);
        Assert.Equal(0, sim.PartitionReplicas[1]);
        Assert.Equal(15, sim.PartitionReplicas[0]);
        Assert.Equal(15, sim.PartitionReplicas[2]);
    }

    [Fact]
    public async Task Stop_while_rebalancing_is_Stopped_and_a_held_rebalance_stays_in_its_state()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        sim.PartitionReplicas[0] = 16;
        sim.PartitionReplicas[1] = 4;
        var body = StrimziFiles.SampleKafkaRebalance();
        body["metadata"]!["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true" };
        var key = Create(api, "full", body);
        sim.ReconcileUntil(() => State(sim, "full") == States.Rebalancing, 4);

        sim.Hold("full", 2);
        sim.Reconcile();
        sim.Reconcile();
        Assert.Equal(States.Rebalancing, State(sim, "full"));

        api.Store.Update(key, r => r["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation] = "stop");
        sim.Reconcile();
        Assert.Equal(States.Stopped, State(sim, "full"));
        Assert.Equal(16, sim.PartitionReplicas[0]); // nothing moved
        Assert.Null(sim.Rebalance("full")!["metadata"]!["annotations"]![StrimziNames.RebalanceAnnotation]);
    }

    [Theory]
    [InlineData("add-brokers", null, "IllegalArgumentException", "The brokers list is mandatory when using the add-brokers rebalancing mode")]
    [InlineData("remove-brokers", null, "IllegalArgumentException", "The brokers list is mandatory when using the remove-brokers rebalancing mode")]
    [InlineData("remove-brokers", 7, "CruiseControlRestException", "java.lang.IllegalArgumentException: Broker [7] does not exist.")]
    [InlineData("add-brokers", 3, "CruiseControlRestException", "Broker [3] does not exist.")] // 3 is a controller-only node
    public async Task A_rebalance_Strimzi_or_Cruise_Control_refuses_is_NotReady_with_the_reason(string mode, int? broker, string reason, string message)
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        var body = StrimziFiles.SampleKafkaRebalance();
        body["spec"] = new JsonObject { ["mode"] = mode };
        if (broker is { } id)
        {
            body["spec"]!["brokers"] = new JsonArray(id);
        }

        Create(api, "bad", body);
        sim.Reconcile();

        Assert.Equal(States.NotReady, State(sim, "bad"));
        var condition = sim.Rebalance("bad")!["status"]!["conditions"]![0]!;
        Assert.Equal(reason, (string?)condition["reason"]);
        Assert.Contains(message, (string?)condition["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rebalance_for_a_Kafka_without_cruise_control_is_NotReady_and_templates_are_left_alone()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        Create(api, "full", StrimziFiles.SampleKafkaRebalance());
        var template = StrimziFiles.SampleKafkaRebalance();
        template["metadata"]!["annotations"] = new JsonObject { [StrimziNames.TemplateAnnotation] = "true" };
        Create(api, "template", template);

        sim.Reconcile();

        Assert.Equal(States.NotReady, State(sim, "full"));
        var condition = sim.Rebalance("full")!["status"]!["conditions"]![0]!;
        Assert.Equal("InvalidResourceException", (string?)condition["reason"]);
        Assert.Equal("Kafka resource lacks 'cruiseControl' declaration", (string?)condition["message"]);
        Assert.Null(sim.Rebalance("template")!["status"]);
    }

    [Fact]
    public async Task ReconcileUntil_throws_with_the_state_when_the_bound_is_hit()
    {
        await using var api = new KubernetesApiDouble();
        var sim = StrimziSimulator.Seed(api);
        api.Store.Update(StrimziFiles.NodePoolKey(Ns, "broker"), p => p["spec"]!["replicas"] = 2);

        var error = Assert.Throws<InvalidOperationException>(() => sim.ReconcileUntil(() => sim.NodeIds("broker").Count == 2, 5));

        Assert.Contains("5 rounds", error.Message, StringComparison.Ordinal);
        Assert.Contains("ScaleDownPreventionCheck", error.Message, StringComparison.Ordinal);
    }

    private static bool Ready(StrimziSimulator sim) =>
        sim.Kafka()["status"]!["conditions"]!.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True");

    private static string State(StrimziSimulator sim, string name) => StrimziSimulator.StateOf(sim.Rebalance(name)!);

    private static ObjectKey Create(KubernetesApiDouble api, string name, JsonObject body)
    {
        body["metadata"]!["name"] = name;
        body["metadata"]!["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = "my-cluster" };
        var key = StrimziFiles.RebalanceKey(Ns, name);
        api.Store.Create(key, body);
        return key;
    }
}
