using Microsoft.Extensions.Configuration;
using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Execution;

/// <summary>
/// The command queue named by the <c>ScaleCommandQueue</c> setting (default <c>scale-commands</c>) in
/// <c>AzureWebJobsStorage</c>. A deferred command is sent as a new message with a visibility delay; its time-to-live
/// outlasts the command's expiry by an hour so that the executor, not the queue, drops it (and logs why).
/// </summary>
public sealed class StorageScaleCommandQueue(StorageAccount storage, IConfiguration configuration, TimeProvider time) : IScaleCommandQueue
{
    public const string QueueSetting = "ScaleCommandQueue";
    public const string DefaultQueueName = "scale-commands";

    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public string QueueName => configuration[QueueSetting] is { Length: > 0 } name ? name : DefaultQueueName;

    public async Task DeferAsync(ScaleCommand command, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        var untilExpiry = command.ExpiresAt - time.GetUtcNow();
        var timeToLive = (untilExpiry > visibility ? untilExpiry : visibility) + TimeSpan.FromHours(1);
        var queue = storage.GetQueue(QueueName);
        await queue.SendMessageAsync(ScaleCommandCodec.Serialize(command), visibility, timeToLive, cancellationToken);
    }
}
