using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Strimzi;
using ScaleFunctions.Tests.Execution;

namespace ScaleFunctions.Tests.Strimzi;

/// <summary>
/// The executor and a simulated Strimzi operator in a loop over the Kubernetes double: the operator reconciles, the
/// queue delivers what the executor put back, until both rest. Strimzi refuses (reverts) a scale-down of a broker that
/// holds replicas, and every lowering of <c>spec.replicas</c> is checked against the replicas the removed broker held
/// at that moment: the app never asks for it before the broker is empty, through a restart and duplicate deliveries.
/// </summary>
public sealed class StrimziClosedLoopIntegrationTest
{
    [Fact]
    public async Task A_downScale_drains_the_broker_through_Strimzi_then_removes_it_across_a_restart_and_duplicates()
    {
        await using var api = new KubernetesApiDouble();
        var strimzi = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        var lowered = WatchScaleDowns(api, strimzi);
        await api.StartAsync();

        IReadOnlyList<ScaleCommand> pending;
        await using (var first = await Executor(api))
        {
            await first.HandleAsync(first.StrimziCommand(ScaleCommandKind.DownScale, key: "down-1"));
            Assert.Equal(ReasonCodes.DrainStarted, first.LastDecision["ReasonCode"]);
            pending = first.Queue.Deferred.Select(d => d.Command).ToList();
        }

        await using var second = await Executor(api); // restarted: only the queue and the resources remember
        var continuation = Assert.Single(pending);
        await RunAsync(second, strimzi, [continuation, continuation]); // delivered twice (at-least-once)

        Assert.Equal([0, 1], strimzi.NodeIds("broker"));
        Assert.Empty(strimzi.RevertedScaleDowns);
        Assert.Equal([(2, 0)], lowered); // broker 2 lowered once, holding no replica
        Assert.Single(second.Decisions, d => d["Outcome"] == "Acted");
        Assert.Contains(second.Decisions, d => d["ReasonCode"] == ReasonCodes.Draining);
        Assert.Contains(second.Decisions, d => d["ReasonCode"] == ReasonCodes.Replay);
        Assert.Null(strimzi.Rebalance("my-cluster-scalefunctions-drain-2"));
        Assert.Equal(20, strimzi.PartitionReplicas.Values.Sum() - 10); // broker 2's replicas moved to 0 and 1
    }

    [Fact]
    public async Task With_auto_rebalancing_Strimzi_drains_after_the_one_write_and_removes_the_broker()
    {
        await using var api = new KubernetesApiDouble();
        var strimzi = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { AutoRebalance = [StrimziNames.RebalanceModes.RemoveBrokers] });
        var lowered = WatchScaleDowns(api, strimzi);
        await api.StartAsync();
        await using var executor = await Executor(api);

        await RunAsync(executor, strimzi, [executor.StrimziCommand(ScaleCommandKind.DownScale, target: new ScaleTarget(BrokerId: 1))]);

        // Lowered at once: Strimzi's scale-down check holds the broker back (its revert is how auto-rebalancing starts),
        // its own remove-brokers rebalance empties it, then Strimzi removes it.
        Assert.Equal([0, 2], strimzi.NodeIds("broker"));
        Assert.Equal([(1, 10)], lowered);
        Assert.Equal(0, strimzi.PartitionReplicas.GetValueOrDefault(1));
        Assert.Equal(ReasonCodes.Applied, Assert.Single(executor.Decisions)["ReasonCode"]);
    }

    [Fact]
    public async Task Lowering_the_replicas_of_a_broker_that_holds_replicas_is_reverted_by_the_simulator()
    {
        // The control: what the checks above would catch if the app lowered spec.replicas before draining.
        await using var api = new KubernetesApiDouble();
        var strimzi = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        var lowered = WatchScaleDowns(api, strimzi);

        api.Store.Update(StrimziFiles.NodePoolKey("kafka", "broker"), p => p["spec"]!["replicas"] = 2);
        strimzi.Reconcile();
        strimzi.Reconcile();

        Assert.Single(strimzi.RevertedScaleDowns);
        Assert.Equal([0, 1, 2], strimzi.NodeIds("broker"));
        Assert.Equal([(2, 10)], lowered);
    }

    [Fact]
    public async Task The_seed_night_on_Strimzi_ends_where_it_began()
    {
        // A person's full rebalance runs; PartitionCountLow asks for a downScale, under-replication and a second rule
        // for two upScales. Nothing acts while it runs; the alerts resolve with it; the cluster stays at 3 brokers.
        await using var api = new KubernetesApiDouble();
        var strimzi = StrimziSimulator.Seed(api, options: new StrimziClusterOptions { CruiseControl = true });
        var rebalance = StrimziFiles.SampleKafkaRebalance();
        rebalance["metadata"]!["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true" };
        api.Store.Create(StrimziFiles.RebalanceKey("kafka", "my-rebalance"), rebalance);
        strimzi.ReconcileUntil(() => StrimziSimulator.StateOf(strimzi.Rebalance("my-rebalance")!) == StrimziNames.RebalanceStates.Rebalancing);
        strimzi.Hold("my-rebalance", 3);
        await api.StartAsync();
        await using var executor = await Executor(api, minBrokers: "3");
        var commands = new[]
        {
            executor.StrimziCommand(ScaleCommandKind.DownScale, key: "partition-count-low"),
            executor.StrimziCommand(ScaleCommandKind.UpScale, key: "under-replicated"),
            executor.StrimziCommand(ScaleCommandKind.UpScale, key: "broker-overloaded"),
        };

        var decided = 0;
        await RunAsync(executor, strimzi, commands, afterRound: async () =>
        {
            if (StrimziSimulator.StateOf(strimzi.Rebalance("my-rebalance")!) == StrimziNames.RebalanceStates.Ready && decided++ == 0)
            {
                foreach (var command in commands.Skip(1))
                {
                    await executor.Resolutions.RecordAsync(command.Cluster, command.Alerts.ToList(), CancellationToken.None);
                }
            }
        });

        Assert.Equal([0, 1, 2], strimzi.NodeIds("broker"));
        Assert.DoesNotContain(api.Requests, r => r.Method == "PATCH" && r.Path.Contains("kafkanodepools", StringComparison.Ordinal));
        Assert.Contains(executor.Decisions, d => d["ReasonCode"] == ReasonCodes.MinBrokers);
        Assert.Contains(executor.Decisions, d => d["ReasonCode"] == ReasonCodes.KafkaRebalanceActive);
        Assert.Equal(2, executor.Decisions.Count(d => d["ReasonCode"] == ReasonCodes.Cancelled));
    }

    private static Task<ExecutorHarness> Executor(KubernetesApiDouble api, string minBrokers = "2") =>
        ExecutorHarness.StartAsync(values =>
        {
            values["Clusters:0:Name"] = "my-cluster";
            values["Clusters:0:Kind"] = "KafkaNodePool";
            values["Clusters:0:MinBrokers"] = minBrokers;
            values["Clusters:0:NodePools:0:Name"] = "broker";
        }, sharedApi: api);

    /// <summary>
    /// Delivers <paramref name="commands"/>, then whatever the executor puts back, one per round of the simulated
    /// operator (the fake clock moved on by each deferral), until nothing is left and Strimzi rests.
    /// </summary>
    private static async Task RunAsync(ExecutorHarness executor, StrimziSimulator strimzi, IReadOnlyList<ScaleCommand> commands, Func<Task>? afterRound = null)
    {
        var inbox = new Queue<(ScaleCommand Command, TimeSpan Delay)>(commands.Select(c => (c, TimeSpan.Zero)));
        var seen = executor.Queue.Deferred.Count;
        for (var round = 0; round < 60; round++)
        {
            strimzi.Reconcile();
            if (afterRound is not null)
            {
                await afterRound();
            }

            foreach (var (command, delay) in executor.Queue.Deferred.Skip(seen))
            {
                inbox.Enqueue((command, delay ?? TimeSpan.Zero));
                seen++;
            }

            if (inbox.Count == 0)
            {
                if (strimzi.IsSteady())
                {
                    return;
                }

                continue;
            }

            var (next, wait) = inbox.Dequeue();
            executor.Time.Advance(wait);
            await executor.HandleAsync(next);
        }

        throw new InvalidOperationException($"The loop did not come to rest. {strimzi.Describe()}");
    }

    /// <summary>Each lowering of a pool's spec.replicas: the broker it names for removal and the replicas it held then.</summary>
    private static List<(int Broker, int Replicas)> WatchScaleDowns(KubernetesApiDouble api, StrimziSimulator strimzi)
    {
        var lowered = new List<(int, int)>();
        var replicas = new Dictionary<string, int>(StringComparer.Ordinal);
        api.Store.Committed += (key, obj) =>
        {
            if (key.Plural != StrimziNames.KafkaNodePools)
            {
                return;
            }

            var now = (int)obj["spec"]!["replicas"]!;
            if (replicas.TryGetValue(key.Name, out var before) && now < before)
            {
                // The broker Strimzi removes: the first of remove-node-ids, else the pool's highest node.
                var nodes = (obj["status"]?["nodeIds"] as JsonArray)?.Select(n => (int)n!).ToList() ?? [];
                var broker = NodeIdList.Parse((string?)obj["metadata"]?["annotations"]?[StrimziNames.RemoveNodeIdsAnnotation]) is [var listed, ..] ? listed : nodes.Max();
                lowered.Add((broker, strimzi.PartitionReplicas.GetValueOrDefault(broker)));
            }

            replicas[key.Name] = now;
        };
        foreach (var pool in api.Store.List(StrimziNames.Group, StrimziNames.Version, "kafka", StrimziNames.KafkaNodePools)["items"]!.AsArray())
        {
            replicas[(string)pool!["metadata"]!["name"]!] = (int)pool["spec"]!["replicas"]!;
        }

        return lowered;
    }
}
