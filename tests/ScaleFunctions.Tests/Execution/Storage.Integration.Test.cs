using System.Text.Json.Nodes;
using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;

namespace ScaleFunctions.Tests.Execution;

public sealed class StorageIntegrationTest
{
    private const string Pvc1 = "kafka-1-storage-0-x7k2p";

    [Fact]
    public async Task AddPvc_adds_a_volume_to_the_owning_broker_only_as_a_per_broker_override()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var group = harness.Cluster["spec"]!["brokerConfigGroups"]!.DeepClone();
        var command = harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "50Gi", StorageClass = "premium" }, new ScaleTarget(PersistentVolumeClaim: Pvc1));

        await harness.HandleAsync(command);

        var cluster = harness.Cluster;
        Assert.True(JsonNode.DeepEquals(group, cluster["spec"]!["brokerConfigGroups"]));
        var storage = cluster["spec"]!["brokers"]![1]!["brokerConfig"]!["storageConfigs"]!.AsArray();
        Assert.Equal(["/kafka-logs", StoragePlanner.DerivedMountPath(command.IdempotencyKey)], storage.Select(s => (string?)s!["mountPath"]));
        Assert.Equal("50Gi", (string?)storage[1]!["pvcSpec"]!["resources"]!["requests"]!["storage"]);
        Assert.Equal("premium", (string?)storage[1]!["pvcSpec"]!["storageClassName"]);
        Assert.Null(cluster["spec"]!["brokers"]![0]!["brokerConfig"]);
        Assert.Null(cluster["spec"]!["brokers"]![2]!["brokerConfig"]);
    }

    [Fact]
    public async Task AddPvc_at_a_mount_path_that_exists_is_a_no_op()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var parameters = new ScaleParameters { DiskSize = "50Gi", MountPath = "/kafka-logs-2" };
        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, parameters, new ScaleTarget(PersistentVolumeClaim: Pvc1)));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, parameters, new ScaleTarget(PersistentVolumeClaim: Pvc1)));

        Assert.Single(harness.Writes);
        Assert.Equal("Ignored", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.AlreadyApplied, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPvc_uses_the_brokerId_label_and_refuses_when_the_owner_is_unknown()
    {
        await using var harness = await ExecutorHarness.StartAsync();

        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "5Gi", MountPath = "/extra" }, new ScaleTarget(BrokerId: 2, PersistentVolumeClaim: "data-volume")));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "5Gi" }, new ScaleTarget(PersistentVolumeClaim: "data-volume")));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "5Gi" }, new ScaleTarget(BrokerId: 2, PersistentVolumeClaim: Pvc1)));

        Assert.Equal("/extra", (string?)harness.Cluster["spec"]!["brokers"]![2]!["brokerConfig"]!["storageConfigs"]![1]!["mountPath"]);
        Assert.StartsWith(ReasonCodes.PvcOwnerUnknown, harness.Decisions[1]["Reason"], StringComparison.Ordinal);
        Assert.StartsWith(ReasonCodes.PvcOwnerUnknown, harness.Decisions[2]["Reason"], StringComparison.Ordinal);
        Assert.Single(harness.Writes);
    }

    [Fact]
    public async Task ResizePvc_grows_the_owning_brokers_volume_and_never_the_group()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        var group = harness.Cluster["spec"]!["brokerConfigGroups"]!.DeepClone();

        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "5Gi" }, new ScaleTarget(PersistentVolumeClaim: Pvc1)));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "5Gi" }, new ScaleTarget(PersistentVolumeClaim: Pvc1)));

        var cluster = harness.Cluster;
        Assert.True(JsonNode.DeepEquals(group, cluster["spec"]!["brokerConfigGroups"]));
        var storage = Assert.Single(cluster["spec"]!["brokers"]![1]!["brokerConfig"]!["storageConfigs"]!.AsArray());
        Assert.Equal("/kafka-logs", (string?)storage!["mountPath"]);
        Assert.Equal("20Gi", (string?)storage["pvcSpec"]!["resources"]!["requests"]!["storage"]);
        Assert.Equal("ReadWriteOnce", (string?)storage["pvcSpec"]!["accessModes"]![0]);
        Assert.Null(cluster["spec"]!["brokers"]![0]!["brokerConfig"]);
    }

    [Fact]
    public async Task ResizePvc_keeps_every_volume_at_its_pvc_index()
    {
        await using var harness = await ExecutorHarness.StartAsync(
            s => s["Executor:ScaleUpCooldown"] = "00:00:00",
            cluster: c => c["spec"]!["brokerConfigGroups"]!["default"]!["storageConfigs"]!.AsArray().Add(JsonNode.Parse(
                "{\"mountPath\":\"/kafka-logs-b\",\"pvcSpec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"30Gi\"}}}}")));
        var second = new ScaleTarget(PersistentVolumeClaim: "kafka-1-storage-1-abcde");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "10Gi" }, second));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "10Gi" }, second));

        var storage = harness.Cluster["spec"]!["brokers"]![1]!["brokerConfig"]!["storageConfigs"]!.AsArray();
        Assert.Equal(["/kafka-logs", "/kafka-logs-b"], storage.Select(s => (string?)s!["mountPath"]));
        Assert.Equal(["10Gi", "50Gi"], storage.Select(s => (string?)s!["pvcSpec"]!["resources"]!["requests"]!["storage"]));
    }

    [Fact]
    public async Task ResizePvc_is_capped_by_the_maximum_and_refused_at_it()
    {
        await using var harness = await ExecutorHarness.StartAsync(s =>
        {
            s["Executor:MaxDiskSize"] = "12Gi";
            s["Executor:ScaleUpCooldown"] = "00:00:00";
        });
        var target = new ScaleTarget(PersistentVolumeClaim: Pvc1);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "5Gi" }, target));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "5Gi" }, target));

        Assert.Equal("12Gi", (string?)harness.Cluster["spec"]!["brokers"]![1]!["brokerConfig"]!["storageConfigs"]![0]!["pvcSpec"]!["resources"]!["requests"]!["storage"]);
        Assert.Contains("capped", harness.Decisions[0]["Reason"], StringComparison.Ordinal);
        Assert.StartsWith(ReasonCodes.MaxDiskSize, harness.Decisions[1]["Reason"], StringComparison.Ordinal);
        Assert.Single(harness.Writes);
    }

    /// <summary>Intake refuses these; a command that carries one all the same (an older or foreign producer) is refused, not an internal error retried into the poison queue.</summary>
    [Theory]
    [InlineData(ScaleCommandKind.AddPvc, "NaN")]
    [InlineData(ScaleCommandKind.AddPvc, "NaNGi")]
    [InlineData(ScaleCommandKind.AddPvc, "1e400")]
    [InlineData(ScaleCommandKind.AddPvc, "1E3Gi")]
    [InlineData(ScaleCommandKind.AddPvc, "Infinity")]
    [InlineData(ScaleCommandKind.ResizePvc, "NaN")]
    [InlineData(ScaleCommandKind.ResizePvc, "NaNGi")]
    [InlineData(ScaleCommandKind.ResizePvc, "1e400")]
    [InlineData(ScaleCommandKind.UpScale, "NaN")]
    [InlineData(ScaleCommandKind.UpScale, "NaNGi")]
    [InlineData(ScaleCommandKind.UpScale, "1e400")]
    public async Task A_size_that_is_not_a_number_is_refused_with_a_reason(ScaleCommandKind kind, string size)
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var parameters = kind == ScaleCommandKind.ResizePvc
            ? new ScaleParameters { IncrementBy = size }
            : new ScaleParameters { DiskSize = size, MountPath = "/kafka-logs2" };
        var target = kind == ScaleCommandKind.UpScale ? ScaleTarget.Cluster : new ScaleTarget(PersistentVolumeClaim: Pvc1);

        await harness.HandleAsync(harness.Command(kind, parameters, target));

        Assert.Empty(harness.Writes);
        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.InvalidSize}: ", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains($"'{size}'", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-5Gi", ReasonCodes.InvalidSize)]
    [InlineData("0", ReasonCodes.InvalidSize)]
    [InlineData(null, ReasonCodes.MissingParameter)]
    public async Task ResizePvc_never_shrinks(string? incrementBy, string code)
    {
        await using var harness = await ExecutorHarness.StartAsync();

        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = incrementBy }, new ScaleTarget(PersistentVolumeClaim: Pvc1)));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(code, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResizePvc_by_mount_path_and_refuses_an_unknown_one()
    {
        await using var harness = await ExecutorHarness.StartAsync();

        await harness.HandleAsync(harness.Command(ScaleCommandKind.ResizePvc, new ScaleParameters { IncrementBy = "1Gi", MountPath = "/elsewhere" }, new ScaleTarget(BrokerId: 0)));

        Assert.Empty(harness.Writes);
        Assert.StartsWith(ReasonCodes.StorageNotFound, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }
}
