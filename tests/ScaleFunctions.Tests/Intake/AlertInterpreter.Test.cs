using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;
using static ScaleFunctions.Tests.Intake.Interpreting;

namespace ScaleFunctions.Tests.Intake;

public sealed class AlertInterpreterTest
{
    [Fact]
    public void Ignores_alerts_without_a_command()
    {
        var ignored = Assert.IsType<IgnoredAlert>(Interpret(Alert(null)));

        Assert.Contains("no command", ignored.Reason, StringComparison.Ordinal);
        Assert.Equal("kafka/kafka", ignored.Cluster);
        Assert.Equal(IntakeReasonCodes.NoCommand, ignored.Code);
    }

    [Theory]
    [InlineData("kafka", "other")]
    [InlineData("other", "kafka")]
    public void Ignores_alerts_for_clusters_it_does_not_manage(string @namespace, string name)
    {
        var alert = Alert("upScale", labels: new() { ["namespace"] = @namespace, ["kafka_cr"] = name });

        var ignored = Assert.IsType<IgnoredAlert>(Interpret(alert));

        Assert.Contains($"{@namespace}/{name} is not managed", ignored.Reason, StringComparison.Ordinal);
        Assert.Equal("", ignored.Cluster);
    }

    [Theory]
    [InlineData("firing", "kafka_cr", "no 'kafka_cr' label")]
    [InlineData("firing", "namespace", "no 'namespace' label")]
    [InlineData("firing", "both", "no 'namespace' and 'kafka_cr' label")]
    [InlineData("resolved", "kafka_cr", "no 'kafka_cr' label")]
    public void Rejects_an_alert_that_asks_for_a_command_without_cluster_labels_pointing_at_the_rules_doc(string status, string removed, string missing)
    {
        var alert = Alert("upScale");
        var labels = (JsonObject)alert["labels"]!;
        foreach (var label in removed == "both" ? new[] { "namespace", "kafka_cr" } : [removed])
        {
            labels.Remove(label);
        }

        alert["status"] = status;
        var rejected = Rejected(Interpret(alert, webhookStatus: status));

        Assert.Equal(IntakeReasonCodes.NoClusterLabels, rejected.Code);
        Assert.Contains(missing, rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("docs/alert-rules.md", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal("upScale", rejected.Command);
        Assert.Equal("", rejected.Cluster);
    }

    [Fact]
    public void Names_the_configured_cluster_labels_when_they_are_missing()
    {
        var alert = Alert("downScale");

        var rejected = Rejected(Interpret(alert, new Dictionary<string, string?> { ["Intake:NamespaceLabel"] = "k8s_ns", ["Intake:ClusterLabel"] = "cluster" }));

        Assert.Contains("no 'k8s_ns' and 'cluster' label", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Still_ignores_an_alert_without_cluster_labels_when_it_asks_for_no_command()
    {
        var alert = Alert(null);
        ((JsonObject)alert["labels"]!).Remove("kafka_cr");

        Assert.Equal(IntakeReasonCodes.NoCommand, Assert.IsType<IgnoredAlert>(Interpret(alert)).Code);
    }

    [Fact]
    public void Reads_the_cluster_from_the_configured_labels()
    {
        var alert = Alert("upScale", labels: new() { ["k8s_ns"] = "kafka", ["cluster"] = "kafka", ["namespace"] = "elsewhere" });

        var request = Request(Interpret(alert, new Dictionary<string, string?> { ["Intake:NamespaceLabel"] = "k8s_ns", ["Intake:ClusterLabel"] = "cluster" }));

        Assert.Equal("kafka/kafka", request.Cluster.ToString());
    }

    [Theory]
    [InlineData("upScale", ScaleCommandKind.UpScale)]
    [InlineData("downScale", ScaleCommandKind.DownScale)]
    [InlineData("addPvc", ScaleCommandKind.AddPvc)]
    [InlineData("addPVC", ScaleCommandKind.AddPvc)]
    [InlineData("resizePvc", ScaleCommandKind.ResizePvc)]
    public void Maps_each_command(string command, ScaleCommandKind kind)
    {
        var alert = Alert(command,
            annotations: new() { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", ["incrementBy"] = "10G" },
            labels: new() { ["persistentvolumeclaim"] = "kafka-0-storage-0" });

        Assert.Equal(kind, Request(Interpret(alert)).Kind);
    }

    [Theory]
    [InlineData("upscale")]
    [InlineData("UpScale")]
    [InlineData("scaleUp")]
    [InlineData("rm -rf /")]
    public void Rejects_unknown_commands_which_are_case_sensitive(string command)
    {
        var rejected = Rejected(Interpret(Alert(command)));

        Assert.Contains("unknown command", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal("kafka/kafka", rejected.Cluster);
        Assert.Equal("", rejected.Command);
    }

    [Fact]
    public void Derives_a_fingerprint_from_the_labels_when_the_sender_gives_none()
    {
        var alert = Alert("upScale");
        alert["fingerprint"] = "";

        var request = Request(Interpret(alert));

        var labels = ((JsonObject)alert["labels"]!).ToDictionary(p => p.Key, p => (string)p.Value!);
        Assert.Equal(AlertFingerprint.Of(labels), request.Alert.Fingerprint);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("abc def")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    [InlineData("abc")]
    [InlineData("0123456789abcdeg")]
    [InlineData("0123456789abcdef0")]
    [InlineData("0123456789abcde\n")]
    public void Rejects_invalid_fingerprints(string fingerprint)
    {
        var alert = Alert("upScale");
        alert["fingerprint"] = fingerprint;

        Assert.Contains("fingerprint", Rejected(Interpret(alert)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_firing_alert_without_start_time()
    {
        var alert = Alert("upScale");
        alert.Remove("startsAt");

        Assert.Contains("startsAt is missing", Rejected(Interpret(alert)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Treats_resolved_alerts_as_resolutions_never_as_commands()
    {
        var alert = Webhooks.Alert("Test", "upScale", status: "resolved");

        var resolved = Assert.IsType<ResolvedAlert>(Interpret(alert, webhookStatus: "resolved"));

        Assert.Equal("kafka/kafka", resolved.Cluster.ToString());
        Assert.Equal("upScale", resolved.Command);
    }

    [Fact]
    public void Uses_the_webhook_status_when_the_alert_has_none()
    {
        var alert = Alert("upScale");
        alert.Remove("status");

        Assert.IsType<ResolvedAlert>(Interpret(alert, webhookStatus: "resolved"));
        Assert.IsType<CommandRequest>(Interpret(alert, webhookStatus: "firing"));
        Assert.Contains("neither firing nor resolved", Rejected(Interpret(alert, webhookStatus: "pending")).Reason, StringComparison.Ordinal);
    }
}
