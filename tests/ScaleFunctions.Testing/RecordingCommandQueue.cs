using System.Collections.Concurrent;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Testing;

/// <summary>
/// An in-memory <see cref="ICommandQueue"/> that records what is enqueued, or fails like an unreachable queue, and
/// refuses a message above Azure Storage's 64 KiB (base64-encoded), as the real queue does.
/// </summary>
public sealed class RecordingCommandQueue : ICommandQueue
{
    private readonly ConcurrentQueue<ScaleCommand> commands = new();
    private int calls;

    public IReadOnlyList<ScaleCommand> Commands => [.. commands];

    /// <summary>When set, every enqueue throws this (from the <see cref="FailFromCall"/>th call on).</summary>
    public Exception? Failure { get; set; }

    /// <summary>The first enqueue call (1-based) that throws <see cref="Failure"/>; earlier calls succeed.</summary>
    public int FailFromCall { get; set; } = 1;

    public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        if (Failure is not null && Interlocked.Increment(ref calls) >= FailFromCall)
        {
            throw Failure;
        }

        if (ScaleCommandCodec.EncodedLength(command) > ScaleCommandCodec.MaxMessageBytes)
        {
            throw new Azure.RequestFailedException(413, "The request body is too large and exceeds the maximum permissible limit.", "RequestBodyTooLarge", null);
        }

        // Round-trip through the codec, as the queue would.
        commands.Enqueue(ScaleCommandCodec.Deserialize(ScaleCommandCodec.Serialize(command)));
        return Task.CompletedTask;
    }
}
