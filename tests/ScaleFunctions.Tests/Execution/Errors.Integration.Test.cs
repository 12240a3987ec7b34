using k8s.Autorest;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>Permanent failures are refused and completed; transient ones are thrown (and logged as poison on the last delivery).</summary>
public sealed class ErrorsIntegrationTest
{
    [Fact]
    public async Task A_missing_cluster_is_refused_and_completed()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Store.Delete(ObjectKey.KafkaCluster("kafka", "kafka"));

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.ClusterNotFound, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_is_refused_and_completed()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Forbid("PATCH");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.StartsWith(ReasonCodes.Forbidden, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task A_422_from_the_api_server_is_refused_and_completed()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Fail(422, "Invalid", "PATCH");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.StartsWith(ReasonCodes.RejectedByApiServer, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("422", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_message_is_refused_and_completed()
    {
        await using var harness = await ExecutorHarness.StartAsync();

        await harness.Handler.HandleAsync("{\"schema\":\"something/v9\"}", new QueueMessageContext("m1", 1), CancellationToken.None);

        Assert.Empty(harness.Api.Requests);
        Assert.StartsWith(ReasonCodes.InvalidCommand, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unmanaged_cluster_and_an_unsupported_kind_are_refused_without_a_request()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        var command = harness.Command(ScaleCommandKind.UpScale);

        await harness.HandleAsync(command with { Cluster = new ClusterRef("kafka", "other", ClusterKind.KafkaCluster) });
        await harness.HandleAsync(command with { Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaNodePool) });

        Assert.Empty(harness.Api.Requests);
        Assert.StartsWith(ReasonCodes.ClusterNotManaged, harness.Decisions[0]["Reason"], StringComparison.Ordinal);
        Assert.StartsWith(ReasonCodes.UnsupportedClusterKind, harness.Decisions[1]["Reason"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "InternalError", "GET")]
    [InlineData(503, "ServiceUnavailable", "GET")]
    [InlineData(429, "TooManyRequests", "PATCH")]
    public async Task Transient_failures_are_thrown_for_the_queue_to_retry(int code, string reason, string method)
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Fail(code, reason, method);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale)));

        Assert.Equal(code, (int)error.Response.StatusCode);
        Assert.Empty(harness.Decisions);
        Assert.Contains(harness.Logs.Entries, e => e.EventId.Id == 1100);
    }

    [Fact]
    public async Task The_last_delivery_of_a_failing_message_is_logged_as_poison_with_its_reason()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Api.Faults.Fail(500, "InternalError", "GET");

        await Assert.ThrowsAsync<HttpOperationException>(() => harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale), dequeueCount: 5));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.RetriesExhausted, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("injected failure 500", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("poison", harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_logs_the_decision_and_the_exact_patch_and_writes_nothing()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:DryRun"] = "true");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale, new ScaleParameters { BrokerConfigGroup = "default" }));

        Assert.Empty(harness.Writes);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.DryRun, harness.LastDecision["Reason"], StringComparison.Ordinal);
        var patch = Assert.Single(harness.Logs.Entries, e => e.EventId.Id == 1102)["Patch"];
        Assert.Contains("{\"op\":\"add\",\"path\":\"/spec/brokers/-\",\"value\":{\"id\":3,\"brokerConfigGroup\":\"default\"}}", patch, StringComparison.Ordinal);
        Assert.Contains(GuardState.RecentCommandsAnnotation, patch, StringComparison.Ordinal);
    }
}
