using Azure;
using ScaleFunctions.Execution;
using ScaleFunctions.Testing;
using ScaleFunctions.Tests.Execution;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// What intake enqueues, as the executor sees it: a partial enqueue repeated by Alertmanager's resend acts once, and a
/// command whose alert list was capped is still cancelled by its resolved alerts and recognised as already acted on.
/// </summary>
public sealed class IntakeToExecutorIntegrationTest
{
    private static Task<ExecutorHarness> ExecutorAsync() => ExecutorHarness.StartAsync(s =>
    {
        s["Executor:ScaleUpCooldown"] = "00:00:00";
        s["Executor:ScaleDownCooldown"] = "00:00:00";
        s["Executor:FlapWindow"] = "00:00:00";
    });

    private static string UpScales(int count) =>
        Webhooks.Firing([.. Enumerable.Range(1, count).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))]);

    [Fact]
    public async Task A_resend_after_a_partial_enqueue_acts_once_per_command()
    {
        using var intake = new IntakeHarness();
        intake.Queue.Failure = new RequestFailedException(500, "Operation could not be completed within the specified time.", "OperationTimedOut", null);
        intake.Queue.FailFromCall = 2;
        var body = Webhooks.Firing(
            Webhooks.Alert("Up", "upScale"), Webhooks.Alert("Down", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "2" }));

        Assert.Equal(503, (await intake.PostAsync(body)).StatusCode);
        intake.Queue.Failure = null;
        Assert.Equal(202, (await intake.PostAsync(body)).StatusCode);

        var messages = intake.Queue.Commands;
        Assert.Equal(3, messages.Count);
        var repeated = messages.GroupBy(m => m.IdempotencyKey).Single(g => g.Count() == 2).ToList();
        await using var executor = await ExecutorAsync();
        await executor.HandleAsync(repeated[0]);
        await executor.HandleAsync(repeated[1]);

        Assert.Single(executor.Writes);
        Assert.Equal(ReasonCodes.Applied, executor.Decisions[0]["ReasonCode"]);
        Assert.Equal(ReasonCodes.Replay, executor.LastDecision["ReasonCode"]);
    }

    [Fact]
    public async Task A_capped_command_is_cancelled_when_its_listed_alerts_have_resolved()
    {
        using var intake = new IntakeHarness();
        await intake.PostAsync(UpScales(342));
        var command = Assert.Single(intake.Queue.Commands);
        await using var executor = await ExecutorAsync();

        await executor.Resolutions.RecordAsync(command.Cluster, [.. command.Alerts], CancellationToken.None);
        await executor.HandleAsync(command);

        Assert.Empty(executor.Writes);
        Assert.Equal(ReasonCodes.Cancelled, executor.LastDecision["ReasonCode"]);
    }

    [Fact]
    public async Task A_capped_command_is_still_wanted_while_one_listed_alert_fires()
    {
        using var intake = new IntakeHarness();
        await intake.PostAsync(UpScales(342));
        var command = Assert.Single(intake.Queue.Commands);
        await using var executor = await ExecutorAsync();

        await executor.Resolutions.RecordAsync(command.Cluster, [.. command.Alerts.Skip(1)], CancellationToken.None);
        await executor.HandleAsync(command);

        Assert.Single(executor.Writes);
        Assert.Equal(ReasonCodes.Applied, executor.LastDecision["ReasonCode"]);
    }

    [Fact]
    public async Task One_more_alert_joining_a_capped_group_is_recognised_as_already_acted_on()
    {
        using var intake = new IntakeHarness();
        await intake.PostAsync(UpScales(342));
        intake.Time.Now = intake.Time.Now.AddMinutes(5);
        await intake.PostAsync(UpScales(343));
        var (first, second) = (intake.Queue.Commands[0], intake.Queue.Commands[1]);
        Assert.NotEqual(first.IdempotencyKey, second.IdempotencyKey);
        await using var executor = await ExecutorAsync();

        await executor.HandleAsync(first);
        await executor.HandleAsync(second);

        Assert.Single(executor.Writes);
        Assert.Equal(ReasonCodes.AlertAlreadyActedOn, executor.LastDecision["ReasonCode"]);
    }
}
