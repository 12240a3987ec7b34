using ScaleFunctions.Commands;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// While Cruise Control moves partitions the broker count stays as it is (the seed article's 3 → 2 → 4): upScale and
/// downScale are deferred; storage commands go on; not knowing is retried through the queue, never acted on blind.
/// </summary>
public sealed class RebalanceGuardIntegrationTest
{
    private const string Moving = "CruiseControlOperation kafka-rebalance-x7k2p is inExecution (rebalance)";

    [Theory]
    [InlineData(ScaleCommandKind.UpScale)]
    [InlineData(ScaleCommandKind.DownScale)]
    public async Task A_broker_count_change_waits_while_Cruise_Control_moves_partitions_and_acts_once_it_stops(ScaleCommandKind kind)
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Rebalance.Moving = Moving;

        await harness.HandleAsync(harness.Command(kind));

        Assert.Empty(harness.Writes);
        Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.RebalanceInProgress, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains(Moving, harness.LastDecision["Reason"], StringComparison.Ordinal);
        var (deferred, delay) = Assert.Single(harness.Queue.Deferred);
        Assert.Equal(TimeSpan.FromMinutes(1), delay);

        harness.Rebalance.Moving = null;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.HandleAsync(deferred);

        Assert.Single(harness.Writes);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
    }

    [Fact]
    public async Task A_dry_run_shows_the_wait_too()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:DryRun"] = "true");
        harness.Rebalance.Moving = Moving;

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        Assert.StartsWith(ReasonCodes.RebalanceInProgress, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.EventId.Id == 1102);
    }

    [Fact]
    public async Task A_volume_grows_during_a_rebalance()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Rebalance.Moving = Moving;

        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "50Gi" }, new ScaleTarget(PersistentVolumeClaim: "kafka-1-storage-0-x7k2p")));

        Assert.Single(harness.Writes);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Equal(0, harness.Rebalance.Calls);
    }

    [Fact]
    public async Task Not_knowing_whether_partitions_move_is_retried_through_the_queue_and_changes_nothing()
    {
        await using var harness = await ExecutorHarness.StartAsync();
        harness.Rebalance.Failure = new HttpRequestException("Connection refused (cruise-control:8090)");
        var command = harness.Command(ScaleCommandKind.UpScale);

        var thrown = await Assert.ThrowsAsync<RebalanceActivityUnknownException>(() => harness.HandleAsync(command));
        await Assert.ThrowsAsync<RebalanceActivityUnknownException>(() => harness.HandleAsync(command, dequeueCount: 5));

        Assert.Contains("Connection refused", thrown.Message, StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
        Assert.Empty(harness.Queue.Deferred);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
        Assert.Equal("Refused", Assert.Single(harness.Decisions)["Outcome"]);
        Assert.StartsWith(ReasonCodes.RetriesExhausted, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cruise_Control_is_only_asked_when_the_guards_would_act()
    {
        await using var harness = await ExecutorHarness.StartAsync(s => s["Executor:ScaleUpCooldown"] = "00:00:00");
        var command = harness.Command(ScaleCommandKind.UpScale);
        await harness.HandleAsync(command);
        harness.Rebalance.Failure = new HttpRequestException("Connection refused (cruise-control:8090)");

        await harness.HandleAsync(command);

        Assert.Equal(1, harness.Rebalance.Calls);
        Assert.StartsWith(ReasonCodes.Replay, harness.LastDecision["Reason"], StringComparison.Ordinal);
    }
}
