using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// Keeps a message invisible while it is processed: every half <c>visibility</c>, extends it by <c>visibility</c>.
/// Each extension changes the pop receipt; <see cref="StopAsync"/> stops renewing and returns the current one.
/// </summary>
public sealed class VisibilityRenewal : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task<string> renewing;

    public VisibilityRenewal(QueueClient queue, QueueMessage message, TimeSpan visibility)
    {
        renewing = RenewAsync(queue, message, visibility, stop.Token);
    }

    public async Task<string> StopAsync()
    {
        await stop.CancelAsync();
        return await renewing;
    }

    public void Dispose() => stop.Dispose();

    private static async Task<string> RenewAsync(QueueClient queue, QueueMessage message, TimeSpan visibility, CancellationToken stopToken)
    {
        var receipt = message.PopReceipt;
        try
        {
            while (true)
            {
                await Task.Delay(visibility / 2, stopToken);
                UpdateReceipt update = await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: visibility, cancellationToken: stopToken);
                receipt = update.PopReceipt;
            }
        }
        catch (OperationCanceledException)
        {
            return receipt;
        }
    }
}
