using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary><c>GET kafka_cluster_state?json=true</c>: brokers and partitions as Kafka reports them.</summary>
public sealed record KafkaClusterState(
    [property: JsonPropertyName("KafkaBrokerState")] KafkaBrokerState KafkaBrokerState,
    [property: JsonPropertyName("version")] int Version);

/// <summary>Per-broker counts, keyed by broker id.</summary>
public sealed record KafkaBrokerState(
    [property: JsonPropertyName("ReplicaCountByBrokerId")] IReadOnlyDictionary<int, int> ReplicaCountByBrokerId,
    [property: JsonPropertyName("LeaderCountByBrokerId")] IReadOnlyDictionary<int, int>? LeaderCountByBrokerId = null,
    [property: JsonPropertyName("OutOfSyncCountByBrokerId")] IReadOnlyDictionary<int, int>? OutOfSyncCountByBrokerId = null,
    [property: JsonPropertyName("OfflineReplicaCountByBrokerId")] IReadOnlyDictionary<int, int>? OfflineReplicaCountByBrokerId = null,
    [property: JsonPropertyName("IsController")] IReadOnlyDictionary<int, bool>? IsController = null);
