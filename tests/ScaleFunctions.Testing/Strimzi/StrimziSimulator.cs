using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Testing.Strimzi;

/// <summary>
/// A small, step-driven Strimzi cluster operator for one <c>Kafka</c> in a <see cref="CustomObjectStore"/>: it writes
/// through the store's normal write path (status through <c>Scope.Status</c>), so resourceVersions, generations and the
/// schema behave as with a real operator; only RBAC is not applied to it (it is the operator, not the app). Nothing
/// happens unless a test calls <see cref="Reconcile"/> (one round over the Kafka, its node pools and its
/// KafkaRebalances) or <see cref="ReconcileUntil"/>; there are no timers.
/// <para>One round, in order: (1) every KafkaRebalance labelled for the cluster moves one step — New → PendingProposal
/// (sessionId) → ProposalReady (<c>status.optimizationResult</c>, Cruise Control's summary; see
/// <see cref="SetNextProposal"/>) → Rebalancing once approved (<c>strimzi.io/rebalance=approve</c>, which the operator
/// removes, or <c>strimzi.io/rebalance-auto-approval: "true"</c>) → Ready (replicas moved in
/// <see cref="PartitionReplicas"/>); <c>refresh</c> → PendingProposal, <c>stop</c> while Rebalancing → Stopped; NotReady
/// with Strimzi's reason and message for a Kafka without <c>spec.cruiseControl</c>, add/remove-brokers without brokers,
/// or unknown brokers; templates (<c>strimzi.io/rebalance-template: "true"</c>) are never processed; <see cref="Hold"/>
/// keeps one in its state. (2) Node pools: a change of <c>spec.replicas</c> is one round in flight (Kafka Ready False,
/// pool status unchanged), then applied (node ids as Strimzi's NodeIdAssignor picks them: <c>strimzi.io/next-node-ids</c>
/// / <c>strimzi.io/remove-node-ids</c> in list order, else the cluster's lowest free id / the pool's highest). A
/// scale-down of brokers that still hold replicas is reverted as Strimzi does (pool keeps its nodes, Kafka gets the
/// <c>Warning</c> condition <c>ScaleDownPreventionCheck</c>, recorded in <see cref="RevertedScaleDowns"/>) unless the
/// Kafka has <c>strimzi.io/skip-broker-scaledown-check: "true"</c>. (3) Auto-rebalancing
/// (<c>spec.cruiseControl.autoRebalance</c>): a blocked scale-down starts <c>RebalanceOnScaleDown</c> with a
/// <c>&lt;cluster&gt;-auto-rebalancing-remove-brokers</c> KafkaRebalance from the template (finalizer
/// <c>strimzi.io/auto-rebalancing</c>, auto-approved); a finished scale-up starts <c>RebalanceOnScaleUp</c> with
/// add-brokers; when the rebalance is Ready (or NotReady) it is deleted and the state goes back to Idle, and the next
/// round the now empty brokers are removed.</para>
/// </summary>
public sealed class StrimziSimulator
{
    /// <summary>The Kafka annotation that disables the scale-down check.</summary>
    public const string SkipScaleDownCheckAnnotation = "strimzi.io/skip-broker-scaledown-check";

    /// <summary>The finalizer Strimzi puts on the KafkaRebalances it creates for auto-rebalancing.</summary>
    public const string AutoRebalancingFinalizer = "strimzi.io/auto-rebalancing";

    /// <summary>The reason of the Warning condition Strimzi writes when it reverts a scale-down.</summary>
    public const string ScaleDownPreventionCheck = "ScaleDownPreventionCheck";

    /// <summary>The reason the simulator writes on the Kafka's Ready False while scaling is in flight (its own choice; Strimzi writes nothing then).</summary>
    public const string ScalingInFlight = "ScalingInFlight";

    private readonly CustomObjectStore store;
    private readonly TimeProvider clock;
    private readonly Dictionary<string, InFlight> inFlight = [];
    private readonly Dictionary<string, int> holds = [];
    private readonly Dictionary<string, JsonObject> nextProposals = [];
    private readonly List<RevertedScaleDown> reverted = [];
    private readonly List<int> pendingAddedBrokers = [];
    private int sessions;

    public StrimziSimulator(CustomObjectStore store, string @namespace = "kafka", string cluster = "my-cluster", TimeProvider? clock = null)
    {
        this.store = store;
        this.clock = clock ?? TimeProvider.System;
        Namespace = @namespace;
        Cluster = cluster;
    }

    public string Namespace { get; }

    public string Cluster { get; }

    /// <summary>How many rounds have run.</summary>
    public int Round { get; private set; }

    /// <summary>Partition replicas per broker id (a test may set them); brokers get 0 when added and leave when removed.</summary>
    public SortedDictionary<int, int> PartitionReplicas { get; } = [];

    /// <summary>Every scale-down Strimzi's check refused (one entry per pool generation), in order.</summary>
    public IReadOnlyList<RevertedScaleDown> RevertedScaleDowns => reverted;

    public ObjectKey KafkaKey => StrimziFiles.KafkaKey(Namespace, Cluster);

    /// <summary>The name of the KafkaRebalance Strimzi creates for auto-rebalancing in <paramref name="mode"/>.</summary>
    public string AutoRebalanceName(string mode) => $"{Cluster}-auto-rebalancing-{mode}";

    public JsonObject Kafka() => store.Get(KafkaKey);

    public JsonObject Pool(string name) => store.Get(StrimziFiles.NodePoolKey(Namespace, name));

    public JsonObject? Rebalance(string name) => store.Find(StrimziFiles.RebalanceKey(Namespace, name));

    /// <summary>The node ids of a pool as its status says.</summary>
    public IReadOnlyList<int> NodeIds(string pool) => Ints(Pool(pool)["status"]?["nodeIds"]);

    /// <summary>A KafkaRebalance's state: the type of its condition with status True (New when it has none).</summary>
    public static string StateOf(JsonObject rebalance) =>
        rebalance["status"]?["conditions"]?.AsArray()
            .Select(c => c!)
            .Where(c => (string?)c["status"] == "True" && StrimziNames.RebalanceStates.All.Contains((string?)c["type"]))
            .Select(c => (string)c["type"]!)
            .FirstOrDefault() ?? StrimziNames.RebalanceStates.New;

    /// <summary>The Kafka's <c>status.autoRebalance.state</c> (Idle when absent).</summary>
    public string AutoRebalanceState() => (string?)Kafka()["status"]?["autoRebalance"]?["state"] ?? StrimziNames.AutoRebalanceIdle;

    /// <summary>
    /// True when nothing is in flight: every pool's status matches its spec (or its scale-down is refused), the Kafka is
    /// Ready, auto-rebalancing is Idle and no KafkaRebalance of the cluster is in an active state.
    /// </summary>
    public bool IsSteady()
    {
        var kafka = store.Find(KafkaKey);
        if (kafka is null || inFlight.Count > 0 || pendingAddedBrokers.Count > 0 || !IsReady(kafka) || AutoRebalanceState() != StrimziNames.AutoRebalanceIdle)
        {
            return false;
        }

        return Pools().All(p => p["status"] is not null && Int(p["status"]!["observedGeneration"]) == Int(p["metadata"]!["generation"]))
            && Rebalances().All(r => !StrimziNames.RebalanceStates.Active.Contains(StateOf(r)));
    }

    /// <summary>What the next proposal for <paramref name="mode"/> says (Cruise Control's summary fields; null: computed).</summary>
    public void SetNextProposal(string mode, JsonObject? summary)
    {
        if (summary is null)
        {
            nextProposals.Remove(mode);
        }
        else
        {
            nextProposals[mode] = summary.DeepClone().AsObject();
        }
    }

    /// <summary>Keeps the KafkaRebalance <paramref name="name"/> in its state for the next <paramref name="rounds"/> rounds.</summary>
    public void Hold(string name, int rounds) => holds[name] = rounds;

    /// <summary>Creates a Strimzi cluster in the double's store (see <see cref="StrimziClusterOptions"/>) and reconciles it to a steady state.</summary>
    public static StrimziSimulator Seed(KubernetesApiDouble api, string @namespace = "kafka", string cluster = "my-cluster", StrimziClusterOptions? options = null, TimeProvider? clock = null)
    {
        options ??= new StrimziClusterOptions();
        api.WithStrimziCrds();
        var store = api.Store;
        var pools = (options.ControllerPool is { } controllers ? [controllers] : Array.Empty<StrimziPool>()).Concat(options.BrokerPools);
        foreach (var pool in pools)
        {
            var body = StrimziFiles.SampleKafkaNodePool();
            body["metadata"] = new JsonObject { ["name"] = pool.Name, ["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = cluster } };
            body["spec"]!["replicas"] = pool.Replicas;
            body["spec"]!["roles"] = new JsonArray(pool.Roles.Select(r => (JsonNode)r).ToArray());
            if (pool.Storage is not null)
            {
                body["spec"]!["storage"] = pool.Storage.DeepClone();
            }

            store.Create(StrimziFiles.NodePoolKey(@namespace, pool.Name), body);
        }

        var kafka = StrimziFiles.SampleKafka();
        kafka["metadata"]!["name"] = cluster;
        if (options.CruiseControl || options.AutoRebalance.Count > 0)
        {
            var cruiseControl = new JsonObject();
            if (options.AutoRebalance.Count > 0)
            {
                var templates = StrimziFiles.AutoRebalancingExample().Where(d => (string?)d["kind"] == "KafkaRebalance").ToList();
                var modes = new JsonArray();
                foreach (var mode in options.AutoRebalance)
                {
                    var template = templates.Single(t => ((string)t["metadata"]!["name"]!).Contains(mode, StringComparison.Ordinal));
                    var name = (string)template["metadata"]!["name"]!;
                    if (store.Find(StrimziFiles.RebalanceKey(@namespace, name)) is null)
                    {
                        store.Create(StrimziFiles.RebalanceKey(@namespace, name), template);
                    }

                    modes.Add(new JsonObject { ["mode"] = mode, ["template"] = new JsonObject { ["name"] = name } });
                }

                cruiseControl["autoRebalance"] = modes;
            }

            kafka["spec"]!["cruiseControl"] = cruiseControl;
        }

        store.Create(StrimziFiles.KafkaKey(@namespace, cluster), kafka);
        var simulator = new StrimziSimulator(store, @namespace, cluster, clock);
        simulator.ReconcileUntil(simulator.IsSteady, 10);
        foreach (var broker in simulator.PartitionReplicas.Keys.ToList())
        {
            simulator.PartitionReplicas[broker] = options.ReplicasPerBroker;
        }

        return simulator;
    }

    /// <summary>Runs rounds until <paramref name="done"/> holds (checked before each round); throws with the state after <paramref name="maxRounds"/>. Returns the rounds run.</summary>
    public int ReconcileUntil(Func<bool> done, int maxRounds = 20)
    {
        for (var i = 0; i <= maxRounds; i++)
        {
            if (done())
            {
                return i;
            }

            if (i < maxRounds)
            {
                Reconcile();
            }
        }

        throw new InvalidOperationException($"The Strimzi simulator did not get there in {maxRounds} rounds. {Describe()}");
    }

    /// <summary>The cluster's state, for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"Round {Round}. Kafka status: {store.Find(KafkaKey)?["status"]?.ToJsonString()}.");
        foreach (var pool in Pools())
        {
            text.Append(CultureInfo.InvariantCulture, $" Pool {pool["metadata"]!["name"]}: spec.replicas {pool["spec"]!["replicas"]}, status {pool["status"]?.ToJsonString()}.");
        }

        foreach (var rebalance in Rebalances())
        {
            text.Append(CultureInfo.InvariantCulture, $" KafkaRebalance {rebalance["metadata"]!["name"]}: {StateOf(rebalance)} {rebalance["metadata"]!["annotations"]?.ToJsonString()}.");
        }

        text.Append(" Replicas: ").Append(string.Join(", ", PartitionReplicas.Select(p => $"{p.Key}={p.Value}"))).Append('.');
        return text.ToString();
    }

    /// <summary>One reconciliation round over the cluster's KafkaRebalances, node pools and Kafka.</summary>
    public void Reconcile()
    {
        Round++;
        var kafka = store.Find(KafkaKey);
        foreach (var rebalance in Rebalances())
        {
            ReconcileRebalance(rebalance, kafka);
        }

        if (kafka is null)
        {
            return;
        }

        var warnings = new List<JsonObject>();
        var blocked = new List<int>();
        var added = new List<int>();
        var scaling = false;
        var pools = Pools();
        var idsInUse = new SortedSet<int>(pools.SelectMany(p => Ints(p["status"]?["nodeIds"])).Concat(inFlight.Values.SelectMany(f => f.NodeIds)));
        foreach (var pool in pools)
        {
            var name = (string)pool["metadata"]!["name"]!;
            var generation = Int(pool["metadata"]!["generation"]);
            var roles = Strings(pool["spec"]!["roles"]);
            var current = Ints(pool["status"]?["nodeIds"]);
            var desired = Int(pool["spec"]!["replicas"]);
            if (inFlight.Remove(name, out var flight))
            {
                foreach (var id in flight.NodeIds.Except(current).Where(_ => roles.Contains(StrimziNames.BrokerRole)))
                {
                    PartitionReplicas.TryAdd(id, 0);
                    if (pool["status"] is not null)
                    {
                        added.Add(id);
                    }
                }

                foreach (var id in current.Except(flight.NodeIds))
                {
                    PartitionReplicas.Remove(id);
                }

                WritePoolStatus(pool, flight.NodeIds, roles, generation);
                continue;
            }

            if (desired == current.Count && pool["status"] is not null)
            {
                WritePoolStatus(pool, current, roles, generation);
                continue;
            }

            var annotations = pool["metadata"]!["annotations"];
            if (desired > current.Count || pool["status"] is null)
            {
                var range = NodeIdRange((string?)annotations?[StrimziNames.NextNodeIdsAnnotation]);
                var next = current.ToList();
                for (var i = current.Count; i < desired; i++)
                {
                    var id = range.FirstOrDefault(r => !idsInUse.Contains(r), -1);
                    if (id < 0)
                    {
                        id = Enumerable.Range(0, idsInUse.Count + 1).First(n => !idsInUse.Contains(n));
                    }

                    idsInUse.Add(id);
                    next.Add(id);
                }

                inFlight[name] = new InFlight([.. next.Order()]);
                scaling = true;
                continue;
            }

            var remaining = new SortedSet<int>(current);
            var removed = new List<int>();
            var removeRange = NodeIdRange((string?)annotations?[StrimziNames.RemoveNodeIdsAnnotation]);
            for (var i = 0; i < current.Count - desired; i++)
            {
                var id = removeRange.FirstOrDefault(remaining.Contains, -1);
                id = id >= 0 ? id : remaining.Max;
                remaining.Remove(id);
                removed.Add(id);
            }

            var holding = roles.Contains(StrimziNames.BrokerRole) ? removed.Where(id => PartitionReplicas.GetValueOrDefault(id) > 0).ToList() : [];
            if (holding.Count > 0 && (string?)kafka["metadata"]!["annotations"]?[SkipScaleDownCheckAnnotation] != "true")
            {
                var message = $"Reverting scale-down of KafkaNodePool {name} by changing number of replicas to {current.Count}";
                warnings.Add(Condition("Warning", "True", ScaleDownPreventionCheck, message));
                blocked.AddRange(removed);
                if (!reverted.Any(r => r.Pool == name && r.Generation == generation))
                {
                    reverted.Add(new RevertedScaleDown(name, generation, Round, [.. removed.Order()], current.Count, message));
                }

                WritePoolStatus(pool, current, roles, generation);
                continue;
            }

            inFlight[name] = new InFlight([.. remaining]);
            scaling = true;
        }

        ReconcileAutoRebalance(kafka, blocked, added);
        WriteKafkaStatus(scaling, warnings);
    }

    private void ReconcileAutoRebalance(JsonObject kafka, List<int> blocked, List<int> added)
    {
        var configured = kafka["spec"]!["cruiseControl"]?["autoRebalance"]?.AsArray().Select(m => m!.AsObject()).ToList() ?? [];
        if (configured.Count == 0)
        {
            return;
        }

        if (configured.Any(m => (string?)m["mode"] == StrimziNames.RebalanceModes.AddBrokers))
        {
            pendingAddedBrokers.AddRange(added.Except(pendingAddedBrokers));
        }

        var autoRebalance = kafka["status"]?["autoRebalance"]?.DeepClone().AsObject();
        var state = (string?)autoRebalance?["state"] ?? StrimziNames.AutoRebalanceIdle;
        if (state != StrimziNames.AutoRebalanceIdle)
        {
            var mode = state == "RebalanceOnScaleDown" ? StrimziNames.RebalanceModes.RemoveBrokers : StrimziNames.RebalanceModes.AddBrokers;
            var key = StrimziFiles.RebalanceKey(Namespace, AutoRebalanceName(mode));
            var rebalance = store.Find(key);
            var finished = rebalance is null || StateOf(rebalance) is StrimziNames.RebalanceStates.Ready or StrimziNames.RebalanceStates.NotReady or StrimziNames.RebalanceStates.Stopped;
            if (!finished)
            {
                return;
            }

            if (rebalance is not null)
            {
                store.Update(key, r => r["metadata"]!.AsObject().Remove("finalizers"));
                store.Delete(key);
            }

            if (mode == StrimziNames.RebalanceModes.AddBrokers)
            {
                pendingAddedBrokers.Clear();
            }

            state = StrimziNames.AutoRebalanceIdle;
            autoRebalance = new JsonObject { ["state"] = state, ["lastTransitionTime"] = Now() };
        }

        var removeMode = configured.FirstOrDefault(m => (string?)m["mode"] == StrimziNames.RebalanceModes.RemoveBrokers);
        var addMode = configured.FirstOrDefault(m => (string?)m["mode"] == StrimziNames.RebalanceModes.AddBrokers);
        if (blocked.Count > 0 && removeMode is not null)
        {
            StartAutoRebalance(removeMode, blocked);
            autoRebalance = AutoRebalanceStatus("RebalanceOnScaleDown", StrimziNames.RebalanceModes.RemoveBrokers, blocked);
        }
        else if (pendingAddedBrokers.Count > 0 && addMode is not null && inFlight.Count == 0)
        {
            StartAutoRebalance(addMode, pendingAddedBrokers);
            autoRebalance = AutoRebalanceStatus("RebalanceOnScaleUp", StrimziNames.RebalanceModes.AddBrokers, pendingAddedBrokers);
        }

        autoRebalance ??= new JsonObject { ["state"] = StrimziNames.AutoRebalanceIdle, ["lastTransitionTime"] = Now() };
        store.Update(KafkaKey, k =>
        {
            k["status"] ??= new JsonObject();
            k["status"]!["autoRebalance"] = autoRebalance;
        }, CustomObjectStore.Scope.Status);
    }

    private JsonObject AutoRebalanceStatus(string state, string mode, IEnumerable<int> brokers) => new()
    {
        ["state"] = state,
        ["lastTransitionTime"] = Now(),
        ["modes"] = new JsonArray(new JsonObject { ["mode"] = mode, ["brokers"] = new JsonArray(brokers.Order().Select(b => (JsonNode)b).ToArray()) }),
    };

    private void StartAutoRebalance(JsonObject configuredMode, IEnumerable<int> brokers)
    {
        var mode = (string)configuredMode["mode"]!;
        var spec = new JsonObject();
        if ((string?)configuredMode["template"]?["name"] is { } templateName
            && store.Find(StrimziFiles.RebalanceKey(Namespace, templateName)) is { } template)
        {
            spec = template["spec"]?.DeepClone().AsObject() ?? [];
        }

        spec["mode"] = mode;
        spec["brokers"] = new JsonArray(brokers.Order().Select(b => (JsonNode)b).ToArray());
        store.Create(StrimziFiles.RebalanceKey(Namespace, AutoRebalanceName(mode)), new JsonObject
        {
            ["apiVersion"] = $"{StrimziNames.Group}/{StrimziNames.Version}",
            ["kind"] = "KafkaRebalance",
            ["metadata"] = new JsonObject
            {
                ["name"] = AutoRebalanceName(mode),
                ["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = Cluster },
                ["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true" },
                ["finalizers"] = new JsonArray(AutoRebalancingFinalizer),
            },
            ["spec"] = spec,
        });
    }

    private void ReconcileRebalance(JsonObject rebalance, JsonObject? kafka)
    {
        var name = (string)rebalance["metadata"]!["name"]!;
        var key = StrimziFiles.RebalanceKey(Namespace, name);
        if (holds.TryGetValue(name, out var rounds) && rounds > 0)
        {
            holds[name] = rounds - 1;
            return;
        }

        if (kafka is null)
        {
            return;
        }

        var annotation = (string?)rebalance["metadata"]!["annotations"]?[StrimziNames.RebalanceAnnotation];
        var autoApproval = (string?)rebalance["metadata"]!["annotations"]?[StrimziNames.AutoApprovalAnnotation] == "true";
        var state = StateOf(rebalance);
        var status = rebalance["status"]?.DeepClone().AsObject() ?? [];
        if (kafka["spec"]!["cruiseControl"] is null)
        {
            WriteRebalanceStatus(key, NotReady("InvalidResourceException", "Kafka resource lacks 'cruiseControl' declaration"), annotation: null);
            return;
        }

        switch (state)
        {
            case StrimziNames.RebalanceStates.New:
                WriteRebalanceStatus(key, Validate(rebalance) ?? Pending(), annotation: null);
                break;
            case StrimziNames.RebalanceStates.PendingProposal:
                WriteRebalanceStatus(key, new JsonObject
                {
                    ["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.ProposalReady, "True")),
                    ["observedGeneration"] = Int(rebalance["metadata"]!["generation"]),
                    ["optimizationResult"] = Proposal(rebalance),
                }, annotation: null);
                break;
            case StrimziNames.RebalanceStates.ProposalReady when annotation == "refresh":
            case StrimziNames.RebalanceStates.Ready when annotation == "refresh":
            case StrimziNames.RebalanceStates.Stopped when annotation == "refresh":
            case StrimziNames.RebalanceStates.NotReady when annotation == "refresh":
                WriteRebalanceStatus(key, Validate(rebalance) ?? Pending(), annotation);
                break;
            case StrimziNames.RebalanceStates.ProposalReady when annotation == "approve" || autoApproval:
                status["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.Rebalancing, "True"));
                status["sessionId"] = NextSession();
                WriteRebalanceStatus(key, status, annotation == "approve" ? annotation : null);
                break;
            case StrimziNames.RebalanceStates.Rebalancing when annotation == "stop":
                status["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.Stopped, "True"));
                status.Remove("sessionId");
                WriteRebalanceStatus(key, status, annotation);
                break;
            case StrimziNames.RebalanceStates.Rebalancing:
                Execute(rebalance);
                status["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.Ready, "True"));
                status.Remove("sessionId");
                WriteRebalanceStatus(key, status, annotation: null);
                break;
        }
    }

    private JsonObject Pending() => new()
    {
        ["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.PendingProposal, "True")),
        ["sessionId"] = NextSession(),
    };

    /// <summary>What Strimzi (or Cruise Control, through it) refuses before asking for a proposal; null when valid.</summary>
    private JsonObject? Validate(JsonObject rebalance)
    {
        var mode = (string?)rebalance["spec"]?["mode"] ?? StrimziNames.RebalanceModes.Full;
        if (mode is not (StrimziNames.RebalanceModes.AddBrokers or StrimziNames.RebalanceModes.RemoveBrokers))
        {
            return null;
        }

        var brokers = Ints(rebalance["spec"]?["brokers"]);
        if (brokers.Count == 0)
        {
            return NotReady("IllegalArgumentException", $"The brokers list is mandatory when using the {mode} rebalancing mode");
        }

        var missing = brokers.Where(b => !PartitionReplicas.ContainsKey(b)).ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var endpoint = mode == StrimziNames.RebalanceModes.AddBrokers ? "add_broker" : "remove_broker";
        return NotReady("CruiseControlRestException",
            $"Error for request: {Cluster}-cruise-control.{Namespace}.svc:9090/kafkacruisecontrol/{endpoint}. Server returned: "
            + $"Error processing POST request '/{endpoint}' due to: 'com.linkedin.kafka.cruisecontrol.exception.KafkaCruiseControlException: "
            + $"java.lang.IllegalArgumentException: Broker [{string.Join(", ", missing)}] does not exist.'.");
    }

    private JsonObject NotReady(string reason, string message) => new()
    {
        ["conditions"] = new JsonArray(Condition(StrimziNames.RebalanceStates.NotReady, "True", reason, message)),
    };

    /// <summary>Cruise Control's optimization summary as Strimzi copies it into <c>status.optimizationResult</c>.</summary>
    private JsonObject Proposal(JsonObject rebalance)
    {
        var name = (string)rebalance["metadata"]!["name"]!;
        var mode = (string?)rebalance["spec"]?["mode"] ?? StrimziNames.RebalanceModes.Full;
        var moves = Plan(mode, Ints(rebalance["spec"]?["brokers"])).Sum(m => m.Count);
        var result = new JsonObject
        {
            ["numIntraBrokerReplicaMovements"] = 0,
            ["numReplicaMovements"] = moves,
            ["onDemandBalancednessScoreAfter"] = 100.0,
            ["intraBrokerDataToMoveMB"] = 0,
            ["monitoredPartitionsPercentage"] = 100.0,
            ["provisionRecommendation"] = "",
            ["excludedBrokersForReplicaMove"] = new JsonArray(),
            ["excludedBrokersForLeadership"] = new JsonArray(),
            ["provisionStatus"] = "RIGHT_SIZED",
            ["onDemandBalancednessScoreBefore"] = moves == 0 ? 100.0 : 80.0,
            ["recentWindows"] = 1,
            ["dataToMoveMB"] = moves * 100,
            ["excludedTopics"] = new JsonArray(),
            ["numLeaderMovements"] = moves / 3,
        };
        if (nextProposals.Remove(mode, out var set))
        {
            foreach (var (field, value) in set)
            {
                result[field] = value?.DeepClone();
            }
        }

        result["afterBeforeLoadConfigMap"] = name;
        return result;
    }

    private void Execute(JsonObject rebalance)
    {
        var mode = (string?)rebalance["spec"]?["mode"] ?? StrimziNames.RebalanceModes.Full;
        foreach (var move in Plan(mode, Ints(rebalance["spec"]?["brokers"])))
        {
            PartitionReplicas[move.From] -= move.Count;
            PartitionReplicas[move.To] += move.Count;
        }
    }

    /// <summary>The replica moves of a rebalance: remove-brokers empties the brokers; add-brokers and full even the counts out.</summary>
    private List<Move> Plan(string mode, IReadOnlyList<int> brokers)
    {
        var counts = new SortedDictionary<int, int>(PartitionReplicas);
        var moves = new List<Move>();
        if (mode == StrimziNames.RebalanceModes.RemoveBrokers)
        {
            var targets = counts.Keys.Except(brokers).ToList();
            if (targets.Count == 0)
            {
                return moves;
            }

            foreach (var broker in brokers.Where(counts.ContainsKey))
            {
                while (counts[broker] > 0)
                {
                    var to = targets.MinBy(t => (counts[t], t));
                    moves.Add(new Move(broker, to, 1));
                    counts[broker]--;
                    counts[to]++;
                }
            }
        }
        else
        {
            var receivers = mode == StrimziNames.RebalanceModes.AddBrokers ? brokers.Where(counts.ContainsKey).ToList() : counts.Keys.ToList();
            while (true)
            {
                var from = counts.Keys.Where(b => counts[b] > 0).MaxBy(b => (counts[b], -b));
                var to = receivers.Count == 0 ? -1 : receivers.MinBy(b => (counts[b], b));
                if (to < 0 || from == to || counts[from] - counts[to] <= 1)
                {
                    break;
                }

                moves.Add(new Move(from, to, 1));
                counts[from]--;
                counts[to]++;
            }
        }

        return moves.GroupBy(m => (m.From, m.To)).Select(g => new Move(g.Key.From, g.Key.To, g.Sum(m => m.Count))).ToList();
    }

    private void WriteRebalanceStatus(ObjectKey key, JsonObject status, string? annotation)
    {
        if (annotation is not null)
        {
            // The operator removes the strimzi.io/rebalance annotation it acted on.
            store.Update(key, r => r["metadata"]!["annotations"]!.AsObject().Remove(StrimziNames.RebalanceAnnotation));
        }

        var previous = store.Get(key)["status"];
        if (previous?["conditions"] is JsonArray before && status["conditions"] is JsonArray after)
        {
            KeepTransitionTimes(before, after);
        }

        store.Update(key, r => r["status"] = status, CustomObjectStore.Scope.Status);
    }

    private void WritePoolStatus(JsonObject pool, IReadOnlyList<int> nodeIds, IReadOnlyList<string> roles, long generation)
    {
        var name = (string)pool["metadata"]!["name"]!;
        store.Update(StrimziFiles.NodePoolKey(Namespace, name), p => p["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(),
            ["observedGeneration"] = generation,
            ["nodeIds"] = new JsonArray(nodeIds.Order().Select(i => (JsonNode)i).ToArray()),
            ["clusterId"] = ClusterId(),
            ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r).ToArray()),
            ["replicas"] = nodeIds.Count,
            ["labelSelector"] = $"{StrimziNames.ClusterLabel}={Cluster},strimzi.io/name={Cluster}-kafka,strimzi.io/kind=Kafka,strimzi.io/pool-name={name}",
        }, CustomObjectStore.Scope.Status);
    }

    private void WriteKafkaStatus(bool scaling, List<JsonObject> warnings)
    {
        var kafka = store.Get(KafkaKey);
        var ready = scaling
            ? Condition("Ready", "False", ScalingInFlight, $"The simulator: node pool scaling is in flight ({string.Join(", ", inFlight.Keys.Order())})")
            : Condition("Ready", "True");
        var conditions = new JsonArray([ready, .. warnings]);
        if (kafka["status"]?["conditions"] is JsonArray before)
        {
            KeepTransitionTimes(before, conditions);
        }

        var status = kafka["status"]?.DeepClone().AsObject() ?? [];
        status["conditions"] = conditions;
        status["observedGeneration"] = Int(kafka["metadata"]!["generation"]);
        status["kafkaNodePools"] = new JsonArray(Pools().Select(p => (JsonNode)new JsonObject { ["name"] = p["metadata"]!["name"]!.DeepClone() }).ToArray());
        status["clusterId"] = ClusterId();
        status["kafkaVersion"] = kafka["spec"]!["kafka"]!["version"]?.DeepClone();
        status["kafkaMetadataVersion"] = kafka["spec"]!["kafka"]!["metadataVersion"]?.DeepClone();
        store.Update(KafkaKey, k => k["status"] = status, CustomObjectStore.Scope.Status);
    }

    /// <summary>A condition that is unchanged (type, status, reason, message) keeps its lastTransitionTime, as Strimzi's do.</summary>
    private static void KeepTransitionTimes(JsonArray before, JsonArray after)
    {
        foreach (var condition in after.OfType<JsonObject>())
        {
            var same = before.OfType<JsonObject>().FirstOrDefault(b => new[] { "type", "status", "reason", "message" }.All(f => (string?)b[f] == (string?)condition[f]));
            if (same?["lastTransitionTime"] is { } time)
            {
                condition["lastTransitionTime"] = time.DeepClone();
            }
        }
    }

    private List<JsonObject> Pools() => Items(StrimziNames.KafkaNodePools);

    private List<JsonObject> Rebalances() => Items(StrimziNames.KafkaRebalances)
        .Where(r => (string?)r["metadata"]!["annotations"]?[StrimziNames.TemplateAnnotation] != "true")
        .ToList();

    private List<JsonObject> Items(string plural) =>
        store.List(StrimziNames.Group, StrimziNames.Version, Namespace, plural, LabelSelector.Parse($"{StrimziNames.ClusterLabel}={Cluster}"))["items"]!
            .AsArray().Select(i => i!.AsObject()).ToList();

    private JsonObject Condition(string type, string status, string? reason = null, string? message = null)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastTransitionTime"] = Now() };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    private static bool IsReady(JsonObject kafka) =>
        kafka["status"]?["conditions"]?.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True") == true;

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private string NextSession() => $"{Cluster}-session-{++sessions}";

    private string ClusterId() => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{Namespace}/{Cluster}")))[..22].Replace('+', '-').Replace('/', '_');

    /// <summary>Strimzi's node id ranges (<c>[0, 1, 10-20]</c>, a range may run downwards) in list order; empty when absent or malformed (then Strimzi falls back, with a warning).</summary>
    private static List<int> NodeIdRange(string? annotation)
    {
        var text = annotation?.Trim();
        if (text is null || !text.StartsWith('[') || !text.EndsWith(']'))
        {
            return [];
        }

        var ids = new List<int>();
        foreach (var part in text[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length == 1 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var single))
            {
                ids.Add(single);
            }
            else if (bounds.Length == 2 && int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var from) && int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var to))
            {
                var step = from <= to ? 1 : -1;
                for (var id = from; id != to + step; id += step)
                {
                    ids.Add(id);
                }
            }
            else
            {
                return [];
            }
        }

        return ids;
    }

    private static int Int(JsonNode? node) => node?.Deserialize<int>() ?? 0;

    private static List<int> Ints(JsonNode? node) => node?.AsArray().Select(n => n!.Deserialize<int>()).ToList() ?? [];

    private static List<string> Strings(JsonNode? node) => node?.AsArray().Select(n => (string)n!).ToList() ?? [];

    private sealed record InFlight(IReadOnlyList<int> NodeIds);

    private sealed record Move(int From, int To, int Count);
}

/// <summary>A node pool of a seeded cluster (roles default to broker; storage default: the sample's JBOD 100Gi claim).</summary>
public sealed record StrimziPool(string Name, int Replicas, IReadOnlyList<string>? PoolRoles = null, JsonObject? Storage = null)
{
    public IReadOnlyList<string> Roles => PoolRoles ?? [StrimziNames.BrokerRole];
}

/// <summary>
/// What <see cref="StrimziSimulator.Seed"/> creates: a controller-only pool (null: none) and broker pools, a Kafka with
/// <c>spec.cruiseControl</c> when <see cref="CruiseControl"/> or <see cref="AutoRebalance"/> modes are set (the latter
/// with the example's template KafkaRebalances), and <see cref="ReplicasPerBroker"/> partition replicas on every broker.
/// </summary>
public sealed record StrimziClusterOptions
{
    public IReadOnlyList<StrimziPool> BrokerPools { get; init; } = [new("broker", 3)];

    public StrimziPool? ControllerPool { get; init; } = new("controller", 3, [StrimziNames.ControllerRole]);

    public bool CruiseControl { get; init; }

    /// <summary>Modes of <c>spec.cruiseControl.autoRebalance</c> (add-brokers, remove-brokers), each with the example's template.</summary>
    public IReadOnlyList<string> AutoRebalance { get; init; } = [];

    public int ReplicasPerBroker { get; init; } = 10;
}

/// <summary>A scale-down Strimzi's check refused: the pool, its generation, the round, the brokers it would have removed, the replicas it kept, the Warning's message.</summary>
public sealed record RevertedScaleDown(string Pool, long Generation, int Round, IReadOnlyList<int> Brokers, int RevertedTo, string Message);
