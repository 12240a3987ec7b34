using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Alerts;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class AlertInterpreterTest
{
    private static AlertInterpretation Interpret(JsonObject alert, IDictionary<string, string?>? settings = null, string? webhookStatus = "firing")
    {
        using var harness = new IntakeHarness(settings);
        var parsed = AlertWebhookParser.Parse(System.Text.Encoding.UTF8.GetBytes(Webhooks.Envelope(webhookStatus ?? "firing", alert))).Webhook!;
        return harness.Services.GetRequiredService<AlertInterpreter>().Interpret(parsed.Alerts![0]!, webhookStatus);
    }

    private static JsonObject Alert(string? command, Dictionary<string, string>? annotations = null, Dictionary<string, string>? labels = null) =>
        Webhooks.Alert("Test", command, annotations: annotations, labels: labels);

    private static RejectedAlert Rejected(AlertInterpretation interpretation) => Assert.IsType<RejectedAlert>(interpretation);

    private static CommandRequest Request(AlertInterpretation interpretation) => Assert.IsType<CommandRequest>(interpretation);

    [Fact]
    public void Ignores_alerts_without_a_command()
    {
        var ignored = Assert.IsType<IgnoredAlert>(Interpret(Alert(null)));

        Assert.Contains("no command", ignored.Reason, StringComparison.Ordinal);
        Assert.Equal("", ignored.Cluster);
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

    [Fact]
    public void Ignores_alerts_without_cluster_labels()
    {
        var alert = Alert("upScale");
        ((JsonObject)alert["labels"]!).Remove("kafka_cr");

        Assert.IsType<IgnoredAlert>(Interpret(alert));
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

    [Fact]
    public void Reads_upScale_parameters_in_canonical_form()
    {
        var alert = Alert("upScale", annotations: new()
        {
            ["brokerConfigGroup"] = "default_group",
            ["storageClass"] = "gp2",
            ["mountPath"] = "/kafkalog",
            ["diskSize"] = "1024Mi",
        });

        var request = Request(Interpret(alert));

        Assert.Equal(ScaleTarget.Cluster, request.Target);
        Assert.Equal(new ScaleParameters { BrokerConfigGroup = "default_group", StorageClass = "gp2", MountPath = "/kafkalog", DiskSize = "1Gi" }, request.Parameters);
    }

    [Fact]
    public void Reads_the_broker_a_downScale_removes_and_ignores_annotations_it_does_not_use()
    {
        var alert = Alert("downScale", annotations: new() { ["image"] = "evil/image:latest", ["diskSize"] = "bogus" }, labels: new() { ["brokerId"] = "3" });

        var request = Request(Interpret(alert));

        Assert.Equal(new ScaleTarget(BrokerId: 3), request.Target);
        Assert.Equal(new ScaleParameters(), request.Parameters);
    }

    [Fact]
    public void A_downScale_without_brokerId_targets_the_cluster()
    {
        Assert.Equal(ScaleTarget.Cluster, Request(Interpret(Alert("downScale"))).Target);
    }

    [Theory]
    [InlineData("addPvc", "diskSize", "the annotation diskSize is required")]
    [InlineData("addPvc", "mountPath", "the annotation mountPath is required")]
    [InlineData("addPvc", "persistentvolumeclaim", "the label persistentvolumeclaim is required")]
    [InlineData("resizePvc", "incrementBy", "the annotation incrementBy is required")]
    [InlineData("resizePvc", "persistentvolumeclaim", "the label persistentvolumeclaim is required")]
    [InlineData("upScale", "diskSize", "needs both mountPath and diskSize")]
    public void Rejects_a_command_missing_a_required_parameter(string command, string missing, string reason)
    {
        var annotations = new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", ["incrementBy"] = "10G" };
        var labels = new Dictionary<string, string> { ["persistentvolumeclaim"] = "kafka-0-storage-0" };
        annotations.Remove(missing);
        labels.Remove(missing);

        Assert.Contains(reason, Rejected(Interpret(Alert(command, annotations, labels))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_volume_addPvc_and_resizePvc_act_on()
    {
        var alert = Alert("resizePvc", annotations: new() { ["incrementBy"] = "0.5Gi" }, labels: new() { ["persistentvolumeclaim"] = "kafka-0-storage-0", ["brokerId"] = "0" });

        var request = Request(Interpret(alert));

        Assert.Equal(new ScaleTarget(PersistentVolumeClaim: "kafka-0-storage-0"), request.Target);
        Assert.Equal("512Mi", request.Parameters.IncrementBy);
    }

    [Theory]
    [InlineData("diskSize", "10Q")]
    [InlineData("diskSize", "-1G")]
    [InlineData("diskSize", "0")]
    [InlineData("diskSize", "100m")]
    [InlineData("diskSize", "10 G")]
    [InlineData("diskSize", "2Ei")]
    [InlineData("diskSize", "999999999999999999999999999999")]
    [InlineData("mountPath", "kafkalog")]
    [InlineData("mountPath", "/")]
    [InlineData("mountPath", "/kafka/../etc")]
    [InlineData("mountPath", "/kafka/./log")]
    [InlineData("mountPath", "/kafka//log")]
    [InlineData("mountPath", "/kafka/")]
    [InlineData("mountPath", "/kafka log")]
    [InlineData("mountPath", "/kafkalog\n")]
    [InlineData("storageClass", "GP2")]
    [InlineData("storageClass", "gp2;rm")]
    [InlineData("storageClass", "-gp2")]
    [InlineData("brokerConfigGroup", "default group")]
    [InlineData("brokerConfigGroup", "_default")]
    [InlineData("image", "wurstmeister/kafka:2.12-2.3.0")]
    [InlineData("brokerAnnotations", "{\"a\":\"b\"}")]
    public void Rejects_invalid_or_refused_parameter_values(string annotation, string value)
    {
        var annotations = new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", [annotation] = value };

        var rejected = Rejected(Interpret(Alert("upScale", annotations)));

        Assert.Contains(annotation, rejected.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', rejected.Reason);
    }

    [Fact]
    public void Rejects_overlong_values()
    {
        var rejected = Rejected(Interpret(Alert("upScale", new() { ["storageClass"] = new string('a', 254), ["mountPath"] = "/" + new string('a', 300), ["diskSize"] = "10Gi" })));

        Assert.Contains("storageClass", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("mountPath", rejected.Reason, StringComparison.Ordinal);
        Assert.True(rejected.Reason.Length < 600, rejected.Reason);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("03")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void Rejects_broker_ids_that_are_not_numbers(string brokerId)
    {
        Assert.Contains("brokerId", Rejected(Interpret(Alert("downScale", labels: new() { ["brokerId"] = brokerId }))).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_invalid_claim_name()
    {
        var alert = Alert("resizePvc", annotations: new() { ["incrementBy"] = "10G" }, labels: new() { ["persistentvolumeclaim"] = "Kafka_0" });

        Assert.Contains("persistentvolumeclaim", Rejected(Interpret(alert)).Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, bool> Images => new()
    {
        { "ghcr.io/adobe/koperator/kafka:2.13-3.9.1", true },
        { "ghcr.io/adobe/koperator/kafka@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true },
        { "ghcr.io/adobe/koperator/kafka-evil:1", false },
        { "ghcr.io/adobe/koperator/kafka:", false },
        { "docker.io/library/kafka:3", false },
        { "ghcr.io/adobe/koperator/kafka:2.13 --privileged", false },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void Accepts_images_only_under_an_allowed_prefix(string image, bool allowed)
    {
        var settings = new Dictionary<string, string?> { ["Intake:AllowedImagePrefixes:0"] = "ghcr.io/adobe/koperator/kafka:", ["Intake:AllowedImagePrefixes:1"] = "ghcr.io/adobe/koperator/kafka@" };

        var interpretation = Interpret(Alert("upScale", new() { ["image"] = image }), settings);

        if (allowed)
        {
            Assert.Equal(image, Request(interpretation).Parameters.Image);
        }
        else
        {
            Assert.Contains("image", Rejected(interpretation).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_images_when_no_prefix_is_allowed()
    {
        var rejected = Rejected(Interpret(Alert("upScale", new() { ["image"] = "ghcr.io/adobe/koperator/kafka:2.13-3.9.1" })));

        Assert.Contains("Intake:AllowedImagePrefixes is empty", rejected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"sidecar.istio.io/logLevel\": \"trace\", \"sidecar.istio.io/proxyCPULimit\": \"50m\" }", true)]
    [InlineData("{}", true)]
    [InlineData("not json", false)]
    [InlineData("[\"a\"]", false)]
    [InlineData("\"a\"", false)]
    [InlineData("{\"a\": 1}", false)]
    [InlineData("{\"a\": {\"b\": \"c\"}}", false)]
    [InlineData("{\"a\": \"1\", \"a\": \"2\"}", false)]
    [InlineData("{\"bad key\": \"1\"}", false)]
    [InlineData("{\"Example.com/x\": \"1\"}", false)]
    public void Accepts_broker_annotations_only_as_a_JSON_object_of_strings_when_allowed(string json, bool valid)
    {
        var settings = new Dictionary<string, string?> { ["Intake:AllowBrokerAnnotations"] = "true" };

        var interpretation = Interpret(Alert("upScale", new() { ["brokerAnnotations"] = json }), settings);

        if (valid)
        {
            Assert.NotNull(Request(interpretation).Parameters.BrokerAnnotations);
        }
        else
        {
            Assert.Contains("brokerAnnotations", Rejected(interpretation).Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_too_many_broker_annotations()
    {
        var json = "{" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"k{i}\":\"v\"")) + "}";
        var settings = new Dictionary<string, string?> { ["Intake:AllowBrokerAnnotations"] = "true" };

        Rejected(Interpret(Alert("upScale", new() { ["brokerAnnotations"] = json }), settings));
    }

    [Fact]
    public void Lists_every_problem_of_an_alert()
    {
        var rejected = Rejected(Interpret(Alert("addPvc", new() { ["diskSize"] = "huge", ["mountPath"] = "relative" })));

        Assert.Contains("diskSize", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("mountPath", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("persistentvolumeclaim", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_the_koperator_sample_rule_once_its_image_is_allowed()
    {
        // The annotations of adobe/koperator config/samples/kafkacluster-prometheus.yaml (BrokerOverLoaded).
        var annotations = new Dictionary<string, string>
        {
            ["description"] = "broker 0 overloaded (current value is: 42)",
            ["summary"] = "broker overloaded",
            ["storageClass"] = "gp2",
            ["mountPath"] = "/kafkalog",
            ["diskSize"] = "10G",
            ["image"] = "ghcr.io/adobe/koperator/kafka:2.13-3.9.1",
        };
        var settings = new Dictionary<string, string?> { ["Intake:AllowedImagePrefixes:0"] = "ghcr.io/adobe/koperator/" };

        var request = Request(Interpret(Alert("upScale", annotations), settings));

        Assert.Equal("10G", request.Parameters.DiskSize);
        Assert.Equal("ghcr.io/adobe/koperator/kafka:2.13-3.9.1", request.Parameters.Image);
    }
}
