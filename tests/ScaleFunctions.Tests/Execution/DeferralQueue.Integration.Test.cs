using Azure.Storage.Queues;
using ScaleFunctions.Commands;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>A deferred command goes back on the real (Azurite) queue, invisible for the deferral delay, one deferral more.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeferralQueueIntegrationTest(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_deferred_command_waits_invisible_on_the_queue()
    {
        var queueName = $"defer-{Guid.NewGuid():N}";
        await using var harness = await Start(queueName, "00:05:00");
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterReconciling");

        await harness.HandleAsync(harness.Command(ScaleCommandKind.UpScale));

        var queue = new QueueClient(azurite.ConnectionString, queueName);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.PeekMessagesAsync()).Value);
        Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
    }

    [Fact]
    public async Task A_deferred_command_comes_back_as_the_trigger_reads_it_with_one_more_deferral()
    {
        var queueName = $"defer-{Guid.NewGuid():N}";
        await using var harness = await Start(queueName, "00:00:01");
        harness.Api.UpdateStatus("kafka", "kafka", s => s["state"] = "ClusterReconciling");
        var command = harness.Command(ScaleCommandKind.UpScale);

        await harness.HandleAsync(command);

        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        // Azurite hides the message for the real second of the delay; nothing signals when it shows again.
        var message = await Eventually.GetAsync(async () => (await queue.ReceiveMessagesAsync(1)).Value.FirstOrDefault(), "the deferred command to become visible");

        Assert.Equal(1, message.DequeueCount);
        var deferred = ScaleCommandCodec.Deserialize(message.MessageText);
        Assert.Equal(command.IdempotencyKey, deferred.IdempotencyKey);
        Assert.Equal(1, deferred.Deferrals);
        Assert.Equal(command.ExpiresAt, deferred.ExpiresAt);
    }

    private async Task<ExecutorHarness> Start(string queueName, string delay) =>
        await ExecutorHarness.StartAsync(s =>
        {
            s["AzureWebJobsStorage"] = azurite.ConnectionString;
            s["ScaleCommandQueue"] = queueName;
            s["Executor:DeferralDelay"] = delay;
        }, realQueue: true);
}
