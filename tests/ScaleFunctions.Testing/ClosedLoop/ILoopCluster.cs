using System.Text.Json.Nodes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>
/// The cluster side of the closed loop, per operator: what it seeds in the Kubernetes double, the brokers the simulated
/// exporter serves (read at every scrape, the loop's tick, where a simulated operator takes its step), the labels its
/// alerts carry and the app's settings that name it. <see cref="KoperatorLoopCluster"/> (a KafkaCluster) and
/// <see cref="StrimziLoopCluster"/> (a Kafka with a broker KafkaNodePool, run by the Strimzi simulator).
/// </summary>
public interface ILoopCluster
{
    /// <summary>The app's settings that name the cluster (<c>Clusters:0:…</c>, and the intake's labels where they differ from the defaults).</summary>
    IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The alert label that names the cluster (the intake's <c>ClusterLabel</c>): Alertmanager routes on it.</summary>
    string ClusterLabel { get; }

    /// <summary>Alertmanager's <c>group_by</c> for the app's route.</summary>
    IReadOnlyList<string> GroupBy { get; }

    /// <summary>The time-compressed rule file Prometheus evaluates.</summary>
    string RulesFile { get; }

    /// <summary>The broker count the cluster's spec asks for now.</summary>
    int SpecBrokers { get; }

    /// <summary>Whether the operator has nothing in flight (always, where the exporter is the only simulation).</summary>
    bool IsSteady { get; }

    /// <summary>Creates the cluster's resources in <paramref name="api"/>, steady, with 3 brokers.</summary>
    void Seed(KubernetesApiDouble api);

    /// <summary>Called once per scrape: lets the operator take its step and returns the broker ids the exporter follows.</summary>
    IReadOnlyList<int> Tick();

    /// <summary>The broker count a stored write gives, when it is of the resource the app scales; null otherwise.</summary>
    int? BrokerCount(ObjectKey key, JsonObject stored);

    /// <summary>The labels of one broker's series, in Prometheus text format (without braces).</summary>
    string SeriesLabels(int brokerId);
}
