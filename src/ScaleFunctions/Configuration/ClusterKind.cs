namespace ScaleFunctions.Configuration;

/// <summary>The kind of resource that describes a managed Kafka cluster's brokers.</summary>
public enum ClusterKind
{
    /// <summary>Koperator (Banzai Cloud / Adobe) <c>kafka.banzaicloud.io/v1beta1</c> KafkaCluster.</summary>
    KafkaCluster,

    /// <summary>Strimzi <c>kafka.strimzi.io/v1</c> Kafka with broker KafkaNodePools (docs/strimzi.md).</summary>
    KafkaNodePool,
}
