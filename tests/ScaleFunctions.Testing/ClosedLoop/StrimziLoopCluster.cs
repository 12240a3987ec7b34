using System.Globalization;
using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Strimzi;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>One lowering of the pool's <c>spec.replicas</c>: the broker it removes, the replicas it held then, and the most it ever held.</summary>
public sealed record PoolScaleDown(int Broker, int Replicas, int Peak);

/// <summary>
/// A Strimzi Kafka kafka/my-cluster with a controller pool and one managed broker-only pool <c>broker</c> (nodes 0-2),
/// its operator the <see cref="StrimziSimulator"/>, which takes one <see cref="StrimziSimulator.Reconcile"/> round at
/// every scrape (<see cref="Tick"/>) — the exporter follows the pool's <c>status.nodeIds</c>. The alerts carry
/// Strimzi's <c>namespace</c>, <c>strimzi_io_cluster</c> (the intake's cluster label here), <c>strimzi_io_pool_name</c>
/// and the pod name. Every lowering of <c>spec.replicas</c> is recorded (<see cref="ScaleDowns"/>) with the replicas the
/// removed broker held, as the simulator had them when it next looked (only its rounds move replicas).
/// </summary>
public sealed class StrimziLoopCluster(StrimziClusterOptions? options = null) : ILoopCluster
{
    public const string Namespace = "kafka";
    public const string Name = "my-cluster";
    public const string Pool = "broker";

    private readonly Lock gate = new();
    private readonly Lock noted = new();
    private readonly List<int> lowering = []; // brokers named by lowerings the simulator has not looked at yet
    private readonly List<PoolScaleDown> scaleDowns = [];
    private readonly Dictionary<int, int> peaks = [];
    private StrimziSimulator? simulator;
    private int replicas;

    /// <summary>The rules of <c>kafka-alerts.rules.yml</c> on Strimzi's labels.</summary>
    public static string Rules => ReferenceFiles.InRepository(Path.Combine("tests", "ScaleFunctions.Testing", "ClosedLoop", "strimzi-alerts.rules.yml"));

    public IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Clusters:0:Namespace"] = Namespace,
        ["Clusters:0:Name"] = Name,
        ["Clusters:0:Kind"] = "KafkaNodePool",
        ["Clusters:0:NodePools:0:Name"] = Pool,
        ["Intake:ClusterLabel"] = "strimzi_io_cluster",
    };

    public string ClusterLabel => "strimzi_io_cluster";

    /// <summary>By pool too, as docs/alert-rules.md recommends for Strimzi.</summary>
    public IReadOnlyList<string> GroupBy { get; } = ["namespace", "strimzi_io_cluster", "strimzi_io_pool_name"];

    public string RulesFile => Rules;

    public int SpecBrokers => With(s => (int)s.Pool(Pool)["spec"]!["replicas"]!);

    public bool IsSteady => With(s => s.IsSteady());

    /// <summary>Every lowering of the pool's spec.replicas, in order.</summary>
    public IReadOnlyList<PoolScaleDown> ScaleDowns => With(_ => scaleDowns.ToList());

    /// <summary>The scale-downs the simulated Strimzi reverted (its broker still held replicas).</summary>
    public IReadOnlyList<RevertedScaleDown> RevertedScaleDowns => With(s => s.RevertedScaleDowns.ToList());

    public void Seed(KubernetesApiDouble api)
    {
        simulator = StrimziSimulator.Seed(api, Namespace, Name, options);
        replicas = (int)simulator.Pool(Pool)["spec"]!["replicas"]!;
        api.Store.Committed += OnCommitted;
    }

    /// <summary>Runs <paramref name="action"/> on the simulator between its rounds (the test's thread and the scrapes' take turns).</summary>
    public T With<T>(Func<StrimziSimulator, T> action)
    {
        lock (gate)
        {
            return action(simulator!);
        }
    }

    /// <inheritdoc cref="With{T}"/>
    public void With(Action<StrimziSimulator> action) => With(s =>
    {
        action(s);
        return true;
    });

    public IReadOnlyList<int> Tick() => With(s =>
    {
        Look(s);
        s.Reconcile();
        Look(s);
        return s.NodeIds(Pool);
    });

    public int? BrokerCount(ObjectKey key, JsonObject stored) =>
        key == StrimziFiles.NodePoolKey(Namespace, Pool) ? (int)stored["spec"]!["replicas"]! : null;

    public string SeriesLabels(int brokerId) => string.Create(CultureInfo.InvariantCulture,
        $"namespace=\"{Namespace}\",strimzi_io_cluster=\"{Name}\",strimzi_io_pool_name=\"{Pool}\",strimzi_io_kind=\"Kafka\",strimzi_io_broker_role=\"true\",kubernetes_pod_name=\"{Name}-{Pool}-{brokerId}\"");

    /// <summary>Settles the lowerings stored since the simulator last looked, and keeps each broker's peak.</summary>
    private void Look(StrimziSimulator s)
    {
        foreach (var (broker, held) in s.PartitionReplicas)
        {
            peaks[broker] = Math.Max(peaks.GetValueOrDefault(broker), held);
        }

        List<int> due;
        lock (noted)
        {
            due = [.. lowering];
            lowering.Clear();
        }

        scaleDowns.AddRange(due.Select(b => new PoolScaleDown(b, s.PartitionReplicas.GetValueOrDefault(b), peaks.GetValueOrDefault(b))));
    }

    /// <summary>Inside the store's lock (a writer may be the app or the simulator): only notes the broker a lowering removes.</summary>
    private void OnCommitted(ObjectKey key, JsonObject stored)
    {
        if (BrokerCount(key, stored) is not { } now)
        {
            return;
        }

        if (now < replicas)
        {
            // The broker Strimzi removes: the first of remove-node-ids, else the pool's highest node.
            var nodes = (stored["status"]?["nodeIds"] as JsonArray)?.Select(n => (int)n!).ToList() ?? [];
            var broker = NodeIdList.Parse((string?)stored["metadata"]?["annotations"]?[StrimziNames.RemoveNodeIdsAnnotation]) is [var listed, ..] ? listed : nodes.DefaultIfEmpty(-1).Max();
            lock (noted)
            {
                lowering.Add(broker);
            }
        }

        replicas = now;
    }
}
