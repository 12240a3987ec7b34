using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Storage;

/// <summary>
/// <see cref="ICommandQueue"/> on an Azure Storage queue of <see cref="StorageAccount"/>: one message per command,
/// <see cref="ScaleCommandCodec"/> JSON, base64-encoded (what the Functions queue trigger reads). The queue is created
/// on first use; a failed creation is tried again on the next call.
/// </summary>
public sealed class StorageCommandQueue(StorageAccount account, IOptions<CommandQueueOptions> options) : ICommandQueue
{
    private readonly QueueClient queue = account.GetQueue(options.Value.Name);
    private volatile bool created;

    public async Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        if (!created)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            created = true;
        }

        await queue.SendMessageAsync(ScaleCommandCodec.Serialize(command), WholeSecondsUp(visibilityDelay), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// The service takes whole seconds and the SDK truncates, so a delay until a cooldown's end would come back up to a
    /// second early; rounded up, it comes back at the end or just after.
    /// </summary>
    public static TimeSpan? WholeSecondsUp(TimeSpan? delay) =>
        delay is { } d && d > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(d.TotalSeconds)) : delay;
}
