using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The command queue's trigger on the WebJobs SDK, as in the Functions app's <c>ScaleCommandFunction</c>: hands each
/// message to the executor. Polling, visibility, dequeue count and poison queue come from the SDK, with host.json's
/// <c>extensions.queues</c> (docs/local-host.md#what-comes-from-the-sdk).
/// </summary>
public sealed class ScaleCommandFunction(IScaleCommandHandler handler)
{
    [FunctionName(FunctionSwitches.ScaleCommands)]
    public Task Run(
        [QueueTrigger("%ScaleCommandQueue%", Connection = "AzureWebJobsStorage")] QueueMessage message,
        CancellationToken cancellationToken) =>
        handler.HandleAsync(message.MessageText, new QueueMessageContext(message.MessageId, message.DequeueCount), cancellationToken);
}
