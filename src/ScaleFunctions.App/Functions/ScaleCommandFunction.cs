using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// The command queue's trigger: hands each message to the executor. host.json's queue settings make it serial
/// (batchSize 1, newBatchThreshold 0) and give up after maxDequeueCount deliveries (then the poison queue).
/// </summary>
public sealed class ScaleCommandFunction(IScaleCommandHandler handler)
{
    [Function(FunctionSwitches.ScaleCommands)]
    public Task Run(
        [QueueTrigger("%ScaleCommandQueue%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message.MessageText, new QueueMessageContext(message.MessageId, message.DequeueCount), cancellationToken);
}
