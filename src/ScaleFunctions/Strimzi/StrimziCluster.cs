using System.Text.Json.Nodes;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Strimzi;

/// <summary>
/// One reading of a Strimzi cluster: its <c>Kafka</c>, every <c>KafkaNodePool</c> of it (managed or not: all brokers
/// count towards the cluster's limits, all node ids are taken), and its KafkaRebalances (templates left out). The
/// executor's memory is kept on the pools it changed and read as one (<see cref="GuardState.Latest"/>). What makes the
/// cluster busy, and each reason code: docs/strimzi.md#guards-in-strimzis-terms.
/// </summary>
public sealed record StrimziCluster(JsonObject Kafka, IReadOnlyList<NodePoolResource> Pools, IReadOnlyList<JsonObject> Rebalances, IReadOnlyDictionary<string, PoolDrain> Drains)
    : ClusterReading
{
    /// <summary>The configuration it was read for: the pools the app may scale and their limits.</summary>
    public required ManagedClusterOptions Managed { get; init; }

    /// <summary>When it was read (a drain past its time is abandoned).</summary>
    public required DateTimeOffset ReadAt { get; init; }

    public static readonly CustomResourceType KafkaType = new(StrimziNames.Group, StrimziNames.Version, StrimziNames.Kafkas, "Kafka");
    public static readonly CustomResourceType NodePoolType = new(StrimziNames.Group, StrimziNames.Version, StrimziNames.KafkaNodePools, "KafkaNodePool");
    public static readonly CustomResourceType RebalanceType = new(StrimziNames.Group, StrimziNames.Version, StrimziNames.KafkaRebalances, "KafkaRebalance");

    public string Name => (string?)Kafka["metadata"]?["name"] ?? "";

    public NodePoolResource? Pool(string name) => Pools.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    public JsonObject? Rebalance(string name) =>
        Rebalances.FirstOrDefault(r => string.Equals((string?)r["metadata"]?["name"], name, StringComparison.Ordinal));

    /// <summary>Every node id in use in the cluster (Strimzi numbers nodes across pools).</summary>
    public IReadOnlySet<int> NodeIds => Pools.SelectMany(p => p.NodeIds).ToHashSet();

    /// <summary>The Kafka asks Strimzi to move replicas off brokers before it removes them (<c>spec.cruiseControl.autoRebalance</c>).</summary>
    public bool AutoRebalances(string mode) =>
        (Kafka["spec"]?["cruiseControl"]?["autoRebalance"] as JsonArray)?.Any(m => string.Equals((string?)m?["mode"], mode, StringComparison.Ordinal)) == true;

    /// <summary>A KafkaRebalance's state condition: the one whose type names a state, with status True; null before Strimzi wrote one.</summary>
    public static Condition? StateCondition(JsonObject rebalance) =>
        ResourceFields.Conditions(rebalance).FirstOrDefault(c => c.IsTrue && StrimziNames.RebalanceStates.All.Contains(c.Type));

    /// <summary>A KafkaRebalance's state (<see cref="StateCondition"/>'s type); New before any.</summary>
    public static string StateOf(JsonObject rebalance) => StateCondition(rebalance)?.Type ?? StrimziNames.RebalanceStates.New;

    /// <summary>The message of a KafkaRebalance's state condition (why it is NotReady), if any.</summary>
    public static string? MessageOf(JsonObject rebalance) => StateCondition(rebalance)?.Message;

    /// <summary>Reads the facts: <paramref name="pools"/> and <paramref name="rebalances"/> are those labelled for the Kafka.</summary>
    public static StrimziCluster Read(ManagedClusterOptions managed, JsonObject kafka, IReadOnlyList<JsonObject> pools, IReadOnlyList<JsonObject> rebalances, DateTimeOffset now, int recentKeyLimit)
    {
        var name = (string?)kafka["metadata"]?["name"] ?? "";
        var nodePools = pools.Select(p => new NodePoolResource(p)).Where(p => string.Equals(p.Cluster, name, StringComparison.Ordinal)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var requests = rebalances
            .Where(r => string.Equals(ResourceFields.Text(r["metadata"]?["labels"]?[StrimziNames.ClusterLabel]), name, StringComparison.Ordinal))
            .Where(r => ResourceFields.Text(r["metadata"]?["annotations"]?[StrimziNames.TemplateAnnotation]) != "true")
            .ToList();

        // A drain counts while it may still run and its rebalance has not failed; otherwise it is abandoned.
        var drains = new Dictionary<string, PoolDrain>(StringComparer.Ordinal);
        foreach (var pool in nodePools)
        {
            if (PoolDrain.Read(pool) is { } drain && drain.Until > now
                && requests.FirstOrDefault(r => (string?)r["metadata"]?["name"] == drain.Rebalance) is var rebalance
                && (rebalance is null || StateOf(rebalance) is not (StrimziNames.RebalanceStates.NotReady or StrimziNames.RebalanceStates.Stopped)))
            {
                drains[pool.Name] = drain;
            }
        }

        var busy = new List<Busy>();
        var ready = ResourceFields.Conditions(kafka).FirstOrDefault(c => c.Type == "Ready");
        if (ready is not { IsTrue: true })
        {
            busy.Add(new Busy(ReasonCodes.KafkaNotReady, ready is null ? $"Kafka {name} has no Ready condition yet" : $"Kafka {name} is not Ready: {ready.Describe()}"));
        }

        foreach (var pool in nodePools.Where(p => !p.IsSettled))
        {
            busy.Add(new Busy(ReasonCodes.NodePoolScaling,
                $"node pool {pool.Name} is reconciling: spec.replicas {pool.Replicas}, status.replicas {pool.StatusReplicas?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not set"}"
                + (ResourceFields.Conditions(kafka).FirstOrDefault(c => c.Type == "Warning") is { } warning ? $"; Kafka {warning.Describe()}" : "")));
        }

        foreach (var rebalance in requests.Where(r => StrimziNames.RebalanceStates.Active.Contains(StateOf(r))))
        {
            var rebalanceName = (string?)rebalance["metadata"]?["name"];
            var owner = drains.Values.FirstOrDefault(d => d.Rebalance == rebalanceName)?.Command;
            busy.Add(new Busy(ReasonCodes.KafkaRebalanceActive,
                $"KafkaRebalance {rebalanceName} (mode {(string?)rebalance["spec"]?["mode"] ?? StrimziNames.RebalanceModes.Full}) is {StateOf(rebalance)}", owner));
        }

        if (ResourceFields.Text(kafka["status"]?["autoRebalance"]?["state"]) is { } auto && auto != StrimziNames.AutoRebalanceIdle)
        {
            busy.Add(new Busy(ReasonCodes.AutoRebalanceActive, $"Strimzi's auto-rebalancing is {auto}"));
        }

        foreach (var (pool, drain) in drains)
        {
            busy.Add(new Busy(ReasonCodes.DrainPending,
                $"broker {drain.Broker} of node pool {pool} is being drained (KafkaRebalance {drain.Rebalance}) for command {drain.Command}, at most until {ScaleGuards.Format(drain.Until)}", drain.Command));
        }

        return new StrimziCluster(kafka, nodePools, requests, drains)
        {
            Managed = managed,
            ReadAt = now,
            Guard = GuardState.Latest(nodePools.Select(p => GuardState.Read(p.Annotation)).ToList(), recentKeyLimit),
            BrokerCount = nodePools.Where(p => p.IsBroker).Sum(p => p.Replicas),
            State = ready is null ? null : ready.IsTrue ? "Ready" : "NotReady",
            Busy = busy,
        };
    }
}
