using System.Globalization;
using System.Text.Json.Nodes;
using ScaleFunctions.Strimzi;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// Plays Strimzi's cluster operator for the rebalance check's tests, by hand: the Kafka as Strimzi reports it, and
/// KafkaRebalance states written the way Strimzi's KafkaRebalanceAssemblyOperator writes them — through the status
/// subresource, the state as the <c>type</c> of a condition with status <c>True</c>, the proposal's summary in
/// <c>status.optimizationResult</c>, and the <c>strimzi.io/rebalance</c> annotation removed once acted on. One place,
/// so that a simulated Strimzi reconciler can replace it.
/// </summary>
public sealed class StrimziRebalanceStates(KubernetesApiDouble api, TimeProvider time)
{
    public const string Namespace = "kafka";
    public const string Cluster = "my-cluster";

    public static ObjectKey KafkaKey => StrimziFiles.KafkaKey(Namespace, Cluster);

    public static ObjectKey Key(string name) => StrimziFiles.RebalanceKey(Namespace, name);

    /// <summary>Strimzi's sample Kafka, with Cruise Control (or not), reported Ready (or reconciling).</summary>
    public void SeedKafka(bool cruiseControl = true, bool ready = true, string? autoRebalance = null)
    {
        var kafka = StrimziFiles.SampleKafka();
        kafka["metadata"]!["namespace"] = Namespace;
        if (cruiseControl)
        {
            kafka["spec"]!["cruiseControl"] = new JsonObject();
        }

        api.Store.Create(KafkaKey, kafka);
        api.Store.Update(KafkaKey, k =>
        {
            var status = new JsonObject
            {
                ["conditions"] = new JsonArray(ready
                    ? Condition("Ready", null, null)
                    : new JsonObject { ["type"] = "NotReady", ["status"] = "True", ["reason"] = "Creating", ["message"] = "Kafka cluster is being deployed", ["lastTransitionTime"] = Now() }),
                ["observedGeneration"] = 1,
            };
            if (!ready)
            {
                status["conditions"]!.AsArray().Add(new JsonObject { ["type"] = "Ready", ["status"] = "False", ["reason"] = "Creating", ["lastTransitionTime"] = Now() });
            }

            if (autoRebalance is not null)
            {
                status["autoRebalance"] = new JsonObject { ["state"] = autoRebalance, ["lastTransitionTime"] = Now() };
            }

            k["status"] = status;
        }, CustomObjectStore.Scope.Status);
    }

    /// <summary>Strimzi's sample broker pool of the cluster, reconciled (status as Strimzi writes it: nodes 0–2).</summary>
    public static void SeedPool(KubernetesApiDouble api)
    {
        var key = StrimziFiles.NodePoolKey(Namespace, "broker");
        var pool = StrimziFiles.SampleKafkaNodePool();
        pool["metadata"]!["labels"]![StrimziNames.ClusterLabel] = Cluster;
        api.Store.Create(key, pool);
        api.Store.Update(key, p => p["status"] = new JsonObject
        {
            ["nodeIds"] = new JsonArray(0, 1, 2),
            ["replicas"] = 3,
            ["roles"] = new JsonArray("broker"),
            ["observedGeneration"] = 1,
        }, CustomObjectStore.Scope.Status);
    }

    /// <summary>A KafkaRebalance someone else made (a person, Strimzi's auto-rebalancing), in <paramref name="state"/> (null: no status yet).</summary>
    public void SeedOther(string name, string? state, bool template = false, string cluster = Cluster)
    {
        var rebalance = StrimziFiles.SampleKafkaRebalance();
        rebalance["metadata"]!["name"] = name;
        rebalance["metadata"]!["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = cluster };
        if (template)
        {
            rebalance["metadata"]!["annotations"] = new JsonObject { [StrimziNames.TemplateAnnotation] = "true" };
        }

        api.Store.Create(Key(name), rebalance);
        if (state is not null)
        {
            SetState(name, state);
        }
    }

    /// <summary>Strimzi's status for <paramref name="state"/>; the optimizationResult stays unless replaced.</summary>
    public void SetState(string name, string state, JsonObject? optimizationResult = null, string? reason = null, string? message = null)
    {
        api.Store.Update(Key(name), r =>
        {
            var status = r["status"] as JsonObject ?? [];
            status["conditions"] = new JsonArray(Condition(state, reason, message));
            status["observedGeneration"] = (long)r["metadata"]!["generation"]!;
            if (optimizationResult is not null)
            {
                status["optimizationResult"] = optimizationResult;
                status["sessionId"] = "05539377-ca7b-45ef-b359-e13564f1458c";
            }

            r["status"] = status;
        }, CustomObjectStore.Scope.Status);
    }

    /// <summary>ProposalReady with a proposal that moves <paramref name="replicaMoves"/> replicas, balancedness before → after.</summary>
    public void ProposalReady(string name, double before, double after, int replicaMoves = 26, int leaderMoves = 0, long dataMb = 0) =>
        SetState(name, StrimziNames.RebalanceStates.ProposalReady, Proposal(before, after, replicaMoves, leaderMoves, dataMb));

    /// <summary>What Strimzi does with an annotation it acted on: removes it, after moving the resource to <paramref name="next"/>.</summary>
    public void ActOnAnnotation(string name, string next)
    {
        SetState(name, next);
        api.Store.Update(Key(name), r => (r["metadata"]!["annotations"] as JsonObject)?.Remove(StrimziNames.RebalanceAnnotation));
    }

    /// <summary>The <c>optimizationResult</c> fields Strimzi copies from Cruise Control's summary (docs: generating optimization proposals).</summary>
    public static JsonObject Proposal(double before, double after, int replicaMoves = 26, int leaderMoves = 0, long dataMb = 0) => new()
    {
        ["dataToMoveMB"] = dataMb,
        ["excludedBrokersForLeadership"] = new JsonArray(),
        ["excludedBrokersForReplicaMove"] = new JsonArray(),
        ["excludedTopics"] = new JsonArray(),
        ["intraBrokerDataToMoveMB"] = 0,
        ["monitoredPartitionsPercentage"] = 100,
        ["numIntraBrokerReplicaMovements"] = 0,
        ["numLeaderMovements"] = leaderMoves,
        ["numReplicaMovements"] = replicaMoves,
        ["onDemandBalancednessScoreAfter"] = after,
        ["onDemandBalancednessScoreBefore"] = before,
        ["provisionRecommendation"] = "",
        ["provisionStatus"] = "RIGHT_SIZED",
        ["recentWindows"] = 1,
        ["afterBeforeLoadConfigMap"] = "my-cluster-scalefunctions-rebalance",
    };

    private JsonObject Condition(string type, string? reason, string? message)
    {
        var condition = new JsonObject { ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = Now() };
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

    private string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
