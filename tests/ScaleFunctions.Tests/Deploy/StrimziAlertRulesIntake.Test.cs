using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;
using ScaleFunctions.Tests.Intake;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>
/// The alerts of deploy/prometheus/strimzi-rules.yml, exactly as its promtool unit tests expect them to fire (promtool
/// checks the rules produce these labels and annotations), read by the real intake for a Strimzi cluster
/// (Kind KafkaNodePool) next to a Koperator one: each asks for the intended command on the intended pool, with the
/// default cluster label (kafka_cr, which the rules copy from strimzi_io_cluster) and with
/// Intake__ClusterLabel=strimzi_io_cluster alike.
/// </summary>
public sealed partial class StrimziAlertRulesIntakeTest
{
    private const string Pool = "strimzi_io_pool_name";

    public static TheoryData<string?> ClusterLabels => new() { null, "strimzi_io_cluster" };

    [Theory]
    [MemberData(nameof(ClusterLabels))]
    public void The_upScale_alerts_ask_for_a_broker_in_their_node_pool(string? clusterLabel)
    {
        var alerts = Fired("StrimziBrokersOverloaded", "StrimziPartitionCountHigh");

        foreach (var alert in alerts)
        {
            var request = Request(alert, clusterLabel);
            Assert.Equal(ScaleCommandKind.UpScale, request.Kind);
            Assert.Equal(new ScaleTarget(NodePool: alert.Labels[Pool]), request.Target); // two pools: two commands
            Assert.Equal(alert.Labels[Pool], request.Parameters.BrokerConfigGroup);
            // Nothing Strimzi refuses per broker: no image, no volume for the new broker, no broker annotations.
            Assert.Equal(new ScaleParameters { BrokerConfigGroup = alert.Labels[Pool] }, request.Parameters);
        }
    }

    [Theory]
    [MemberData(nameof(ClusterLabels))]
    public void The_downScale_alert_leaves_the_choice_of_broker_to_the_executor(string? clusterLabel)
    {
        foreach (var alert in Fired("StrimziBrokersUnderused"))
        {
            var request = Request(alert, clusterLabel);
            Assert.Equal(ScaleCommandKind.DownScale, request.Kind);
            // No brokerId: Cruise Control's fewest replicas, else Strimzi's highest id, drained first (docs/alert-rules.md).
            Assert.Equal(new ScaleTarget(NodePool: alert.Labels[Pool]), request.Target);
        }
    }

    [Theory]
    [MemberData(nameof(ClusterLabels))]
    public void The_resizePvc_alert_names_a_claim_of_the_pool_volume_it_is_about(string? clusterLabel)
    {
        foreach (var alert in Fired("StrimziVolumeFilling"))
        {
            var request = Request(alert, clusterLabel);
            Assert.Equal(ScaleCommandKind.ResizePvc, request.Kind);
            Assert.Equal(new ScaleTarget(PersistentVolumeClaim: alert.Labels["persistentvolumeclaim"]), request.Target); // the claim names the pool
            Assert.Equal("10Gi", request.Parameters.IncrementBy);
            // data-<volume id>-<cluster>-<pool>-<node id>: the claim tells the executor the pool and the volume.
            var claim = StrimziClaim().Match(request.Target.PersistentVolumeClaim!);
            Assert.True(claim.Success, request.Target.PersistentVolumeClaim);
            Assert.Equal(alert.Labels["volume_id"], claim.Groups["volume"].Value);
            Assert.StartsWith($"{alert.Labels["strimzi_io_cluster"]}-{alert.Labels[Pool]}-", claim.Groups["pod"].Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_downScale_alert_names_its_node_pool()
    {
        foreach (var alert in Fired("StrimziBrokersUnderused"))
        {
            Assert.Equal(alert.Labels[Pool], Request(alert, null).Target.NodePool);
        }
    }

    [Fact]
    public void The_addPvc_alert_asks_for_a_volume_on_its_node_pool_without_a_mountPath()
    {
        foreach (var alert in Fired("StrimziPoolDisksFull"))
        {
            var request = Request(alert, null);
            Assert.Equal(ScaleCommandKind.AddPvc, request.Kind);
            Assert.Equal("100Gi", request.Parameters.DiskSize);
            Assert.Null(request.Parameters.MountPath);
            Assert.Equal(alert.Labels[Pool], request.Target.NodePool);
        }
    }

    [Fact]
    public void Every_command_alert_carries_the_cluster_under_both_labels_and_its_pool_where_the_command_takes_one()
    {
        var alerts = RulePacks.ExpectedAlerts("strimzi").Where(a => a.Annotations.ContainsKey("command")).ToList();

        Assert.Equal(RulePacks.CommandRules("strimzi").Order(), alerts.Select(a => a.AlertName).Distinct().Order());
        foreach (var alert in alerts)
        {
            Assert.Equal(alert.Labels["strimzi_io_cluster"], alert.Labels["kafka_cr"]);
            Assert.Equal("kafka", alert.Labels["namespace"]);
            Assert.True(alert.Labels.ContainsKey(Pool), alert.ToString());
            if (alert.Annotations.TryGetValue("brokerConfigGroup", out var group))
            {
                Assert.Equal(alert.Labels[Pool], group);
            }
        }
    }

    [Fact]
    public void No_rule_sends_an_annotation_Strimzi_refuses()
    {
        foreach (var rule in RulePacks.Rules("strimzi"))
        {
            var annotations = RulePacks.Annotations(rule);
            Assert.DoesNotContain("image", annotations.Keys);
            Assert.DoesNotContain("mountPath", annotations.Keys);
            Assert.DoesNotContain("brokerAnnotations", annotations.Keys);
        }
    }

    private static List<ExpectedAlert> Fired(params string[] names)
    {
        var alerts = RulePacks.ExpectedAlerts("strimzi").Where(a => names.Contains(a.AlertName)).ToList();
        Assert.NotEmpty(alerts);
        return alerts;
    }

    private static CommandRequest Request(ExpectedAlert alert, string? clusterLabel)
    {
        var request = Assert.IsType<CommandRequest>(Interpret(alert, clusterLabel));
        Assert.Equal(new ClusterRef("kafka", "my-cluster", ClusterKind.KafkaNodePool), request.Cluster);
        return request;
    }

    private static AlertInterpretation Interpret(ExpectedAlert alert, string? clusterLabel)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "my-cluster",
            ["Clusters:0:Kind"] = "KafkaNodePool",
            ["Clusters:0:NodePools:0:Name"] = "broker",
            ["Clusters:0:NodePools:1:Name"] = "small",
            // A Koperator cluster of the same name in another namespace: the Strimzi alerts must not find it.
            ["Clusters:1:Namespace"] = "koperator",
            ["Clusters:1:Name"] = "my-cluster",
        };
        if (clusterLabel is not null)
        {
            settings["Intake:ClusterLabel"] = clusterLabel;
        }

        var labels = new JsonObject();
        foreach (var (key, value) in alert.Labels)
        {
            labels[key] = value;
        }

        var annotations = new JsonObject();
        foreach (var (key, value) in alert.Annotations)
        {
            annotations[key] = value;
        }

        return Interpreting.Interpret(new JsonObject
        {
            ["status"] = "firing",
            ["labels"] = labels,
            ["annotations"] = annotations,
            ["startsAt"] = Webhooks.StartsAt.ToString("O"),
            ["endsAt"] = "0001-01-01T00:00:00Z",
            ["generatorURL"] = "http://prometheus:9090/graph",
            ["fingerprint"] = AlertFingerprint.Of(alert.Labels),
        }, settings);
    }

    [GeneratedRegex("^data-(?<volume>[0-9]+)-(?<pod>.+-[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StrimziClaim();
}
