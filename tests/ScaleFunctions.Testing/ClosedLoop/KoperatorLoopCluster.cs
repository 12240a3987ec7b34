using System.Globalization;
using System.Text.Json.Nodes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>
/// A Koperator KafkaCluster kafka/kafka with brokers 0-2: the exporter follows <c>spec.brokers</c> (it simulates the
/// joins and leaves itself), the alerts carry <c>namespace</c>, <c>kafka_cr</c> and <c>brokerId</c>.
/// </summary>
public sealed class KoperatorLoopCluster : ILoopCluster
{
    private KubernetesApiDouble? api;

    /// <summary>The seed's rules, time-compressed.</summary>
    public static string Rules => ReferenceFiles.InRepository(Path.Combine("tests", "ScaleFunctions.Testing", "ClosedLoop", "kafka-alerts.rules.yml"));

    public IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Clusters:0:Namespace"] = "kafka",
        ["Clusters:0:Name"] = "kafka",
    };

    public string ClusterLabel => "kafka_cr";

    public IReadOnlyList<string> GroupBy { get; } = ["namespace", "kafka_cr"];

    public string RulesFile => Rules;

    public int SpecBrokers => Tick().Count;

    public bool IsSteady => true;

    public void Seed(KubernetesApiDouble api)
    {
        this.api = api;
        api.SeedKafkaCluster();
    }

    public IReadOnlyList<int> Tick() => KafkaClusterFixture.BrokerIds(api!.GetKafkaCluster());

    public int? BrokerCount(ObjectKey key, JsonObject stored) =>
        key == ObjectKey.KafkaCluster("kafka", "kafka") ? KafkaClusterFixture.BrokerIds(stored).Count : null;

    public string SeriesLabels(int brokerId) =>
        string.Create(CultureInfo.InvariantCulture, $"namespace=\"kafka\",kafka_cr=\"kafka\",brokerId=\"{brokerId}\"");
}
