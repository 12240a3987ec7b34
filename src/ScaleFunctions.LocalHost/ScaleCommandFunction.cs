using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The command queue's trigger on the WebJobs SDK, as in the Functions app's <c>ScaleCommandFunction</c>: hands each
/// message to the executor. The SDK's queue extension polls, renews visibility, counts dequeues and moves a message
/// that failed <c>maxDequeueCount</c> times to the poison queue, with host.json's <c>extensions.queues</c> settings.
/// </summary>
public sealed class ScaleCommandFunction(IScaleCommandHandler handler)
{
    [FunctionName(FunctionSwitches.ScaleCommands)]
    public Task Run(
        [QueueTrigger("%ScaleCommandQueue%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message.MessageText, new QueueMessageContext(message.MessageId, message.DequeueCount), cancellationToken);
}
