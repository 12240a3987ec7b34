using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using static ScaleFunctions.Tests.Intake.Interpreting;

namespace ScaleFunctions.Tests.Intake;

/// <summary>The parameters each command reads, and their validation (ScaleParameterReader, ParameterRules).</summary>
public sealed class ScaleParameterReaderTest
{
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
    [InlineData("addPvc", "diskSize", "the annotation diskSize is required.")]
    [InlineData("addPvc", "mountPath", "the annotation mountPath is required.")]
    [InlineData("addPvc", "persistentvolumeclaim", "the label persistentvolumeclaim is required: it names the volume the command is about.")]
    [InlineData("resizePvc", "incrementBy", "the annotation incrementBy is required.")]
    [InlineData("resizePvc", "persistentvolumeclaim", "the label persistentvolumeclaim is required: it names the volume the command is about.")]
    [InlineData("upScale", "diskSize", "upScale with a storage volume needs both mountPath and diskSize.")]
    public void Rejects_a_command_missing_a_required_parameter(string command, string missing, string reason)
    {
        var annotations = new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", ["incrementBy"] = "10G" };
        var labels = new Dictionary<string, string> { ["persistentvolumeclaim"] = "kafka-0-storage-0" };
        annotations.Remove(missing);
        labels.Remove(missing);

        AssertRejected(Interpret(Alert(command, annotations, labels)), command, reason);
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
    [InlineData("diskSize", "10Q", "diskSize '10Q' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "-1G", "diskSize '-1G' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "0", "diskSize '0' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "100m", "diskSize '100m' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "10 G", "diskSize '10 G' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "2Ei", "diskSize '2Ei' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("diskSize", "999999999999999999999999999999", "diskSize '999999999999999999999999999999' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).")]
    [InlineData("mountPath", "kafkalog", "mountPath 'kafkalog' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/", "mountPath '/' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafka/../etc", "mountPath '/kafka/../etc' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafka/./log", "mountPath '/kafka/./log' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafka//log", "mountPath '/kafka//log' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafka/", "mountPath '/kafka/' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafka log", "mountPath '/kafka log' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("mountPath", "/kafkalog\n", "mountPath '/kafkalog?' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').")]
    [InlineData("storageClass", "GP2", "storageClass 'GP2' is not a Kubernetes object name (lower-case DNS-1123 subdomain).")]
    [InlineData("storageClass", "gp2;rm", "storageClass 'gp2;rm' is not a Kubernetes object name (lower-case DNS-1123 subdomain).")]
    [InlineData("storageClass", "-gp2", "storageClass '-gp2' is not a Kubernetes object name (lower-case DNS-1123 subdomain).")]
    [InlineData("brokerConfigGroup", "default group", "brokerConfigGroup 'default group' is not a broker config group name (letters, digits, '-', '_', '.', at most 63).")]
    [InlineData("brokerConfigGroup", "_default", "brokerConfigGroup '_default' is not a broker config group name (letters, digits, '-', '_', '.', at most 63).")]
    [InlineData("image", "wurstmeister/kafka:2.12-2.3.0", "image annotations are refused: Intake:AllowedImagePrefixes is empty.")]
    [InlineData("brokerAnnotations", "{\"a\":\"b\"}", "brokerAnnotations are refused: Intake:AllowBrokerAnnotations is false.")]
    public void Rejects_invalid_or_refused_parameter_values(string annotation, string value, string reason)
    {
        var annotations = new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", [annotation] = value };

        AssertRejected(Interpret(Alert("upScale", annotations)), "upScale", reason);
    }

    [Theory]
    [InlineData("upScale", "diskSize", "NaN")]
    [InlineData("upScale", "diskSize", "NaNGi")]
    [InlineData("upScale", "diskSize", "Infinity")]
    [InlineData("upScale", "diskSize", "-Infinity")]
    [InlineData("upScale", "diskSize", "1e400")]
    [InlineData("upScale", "diskSize", "1E3Gi")]
    [InlineData("upScale", "diskSize", "-1Gi")]
    [InlineData("upScale", "diskSize", "2Pi")]
    [InlineData("upScale", "diskSize", "99999999999999999999999999999Ei")]
    [InlineData("addPvc", "diskSize", "NaN")]
    [InlineData("resizePvc", "incrementBy", "NaN")]
    [InlineData("resizePvc", "incrementBy", "NaNGi")]
    public void Refuses_quantities_that_are_not_sizes_with_their_reason(string command, string annotation, string value)
    {
        var annotations = new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", ["incrementBy"] = "10G", [annotation] = value };
        var labels = new Dictionary<string, string> { ["persistentvolumeclaim"] = "kafka-0-storage-0" };

        AssertRejected(Interpret(Alert(command, annotations, labels)), command, $"{annotation} '{value}' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).");
    }

    [Theory]
    [InlineData("1e3", "1e3")]
    [InlineData("1E12", "1e12")]
    [InlineData("1Pi", "1Pi")]
    [InlineData("+10Gi", "10Gi")]
    public void Accepts_exponent_and_signed_forms_of_a_size_in_canonical_form(string value, string canonical)
    {
        var alert = Alert("upScale", annotations: new() { ["diskSize"] = value, ["mountPath"] = "/kafkalog" });

        Assert.Equal(canonical, Request(Interpret(alert)).Parameters.DiskSize);
    }

    [Fact]
    public void Rejects_overlong_values()
    {
        var interpretation = Interpret(Alert("upScale", new() { ["storageClass"] = new string('a', 254), ["mountPath"] = "/" + new string('a', 300), ["diskSize"] = "10Gi" }));

        // Each value is quoted cut to 64 characters, so a long value cannot make a long reason.
        AssertRejected(interpretation, "upScale",
            $"storageClass '{new string('a', 64)}…' is not a Kubernetes object name (lower-case DNS-1123 subdomain). " +
            $"mountPath '/{new string('a', 63)}…' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-').");
    }

    [Theory]
    [InlineData("x")]
    [InlineData("03")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void Rejects_broker_ids_that_are_not_numbers(string brokerId)
    {
        AssertRejected(Interpret(Alert("downScale", labels: new() { ["brokerId"] = brokerId })), "downScale", $"brokerId '{brokerId}' is not a broker id (a non-negative integer).");
    }

    [Fact]
    public void Rejects_an_invalid_claim_name()
    {
        var alert = Alert("resizePvc", annotations: new() { ["incrementBy"] = "10G" }, labels: new() { ["persistentvolumeclaim"] = "Kafka_0" });

        AssertRejected(Interpret(alert), "resizePvc", "persistentvolumeclaim 'Kafka_0' is not a Kubernetes object name (lower-case DNS-1123 subdomain).");
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
            var reason = image.Contains(' ', StringComparison.Ordinal) || image.EndsWith(':')
                ? $"image '{image}' is not a valid image reference."
                : $"image '{image}' does not start with any prefix in Intake:AllowedImagePrefixes.";
            AssertRejected(interpretation, "upScale", reason);
        }
    }

    [Fact]
    public void Refuses_images_when_no_prefix_is_allowed()
    {
        AssertRejected(Interpret(Alert("upScale", new() { ["image"] = "ghcr.io/adobe/koperator/kafka:2.13-3.9.1" })), "upScale", "image annotations are refused: Intake:AllowedImagePrefixes is empty.");
    }

    [Theory]
    [InlineData("{ \"sidecar.istio.io/logLevel\": \"trace\", \"sidecar.istio.io/proxyCPULimit\": \"50m\" }", null)]
    [InlineData("{}", null)]
    [InlineData("not json", "brokerAnnotations is not valid JSON (line 1, byte 2).")]
    [InlineData("[\"a\"]", "brokerAnnotations must be a JSON object of annotation keys to strings, not array.")]
    [InlineData("\"a\"", "brokerAnnotations must be a JSON object of annotation keys to strings, not string.")]
    [InlineData("{\"a\": 1}", "brokerAnnotations value of 'a' must be a string.")]
    [InlineData("{\"a\": {\"b\": \"c\"}}", "brokerAnnotations value of 'a' must be a string.")]
    [InlineData("{\"a\": \"1\", \"a\": \"2\"}", "brokerAnnotations has a key that appears twice.")]
    [InlineData("{\"bad key\": \"1\"}", "brokerAnnotations key 'bad key' is not a Kubernetes annotation key ([prefix/]name).")]
    [InlineData("{\"Example.com/x\": \"1\"}", "brokerAnnotations key 'Example.com/x' is not a Kubernetes annotation key ([prefix/]name).")]
    public void Accepts_broker_annotations_only_as_a_JSON_object_of_strings_when_allowed_and_says_what_is_wrong(string json, string? reason)
    {
        var settings = new Dictionary<string, string?> { ["Intake:AllowBrokerAnnotations"] = "true" };

        var interpretation = Interpret(Alert("upScale", new() { ["brokerAnnotations"] = json }), settings);

        if (reason is null)
        {
            Assert.NotNull(Request(interpretation).Parameters.BrokerAnnotations);
        }
        else
        {
            Assert.Equal(reason, Rejected(interpretation).Reason);
        }
    }

    [Fact]
    public void Refuses_too_many_or_too_long_broker_annotations_saying_which()
    {
        var many = "{" + string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"k{i}\":\"v\"")) + "}";
        var longer = $"{{\"a\":\"{new string('v', 4100)}\"}}";
        var settings = new Dictionary<string, string?> { ["Intake:AllowBrokerAnnotations"] = "true" };

        Assert.Equal("brokerAnnotations has more than 32 annotations.", Rejected(Interpret(Alert("upScale", new() { ["brokerAnnotations"] = many }), settings)).Reason);
        Assert.Equal("brokerAnnotations is 4108 characters, more than 4096.", Rejected(Interpret(Alert("upScale", new() { ["brokerAnnotations"] = longer }), settings)).Reason);
    }

    [Fact]
    public void Lists_every_problem_of_an_alert()
    {
        AssertRejected(
            Interpret(Alert("addPvc", new() { ["diskSize"] = "huge", ["mountPath"] = "relative" })),
            "addPvc",
            "the label persistentvolumeclaim is required: it names the volume the command is about. " +
            "mountPath 'relative' is not an absolute clean path such as /kafka-logs2 (letters, digits, '.', '_', '-'). " +
            "diskSize 'huge' is not a Kubernetes quantity of bytes between 1 and 1Pi (for example 10Gi or 500G).");
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

    /// <summary>Rejected as an invalid alert of <paramref name="command"/>, with exactly this reason.</summary>
    private static void AssertRejected(AlertInterpretation interpretation, string command, string reason)
    {
        var rejected = Rejected(interpretation);
        Assert.Equal((IntakeReasonCodes.InvalidAlert, command, reason), (rejected.Code, rejected.Command, rejected.Reason));
    }
}
