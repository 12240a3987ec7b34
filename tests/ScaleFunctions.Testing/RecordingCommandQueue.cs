using System.Collections.Concurrent;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Testing;

/// <summary>An in-memory <see cref="ICommandQueue"/> that records what is enqueued, or fails like an unreachable queue.</summary>
public sealed class RecordingCommandQueue : ICommandQueue
{
    private readonly ConcurrentQueue<ScaleCommand> commands = new();

    public IReadOnlyList<ScaleCommand> Commands => [.. commands];

    /// <summary>When set, every enqueue throws this.</summary>
    public Exception? Failure { get; set; }

    public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        // Round-trip through the codec, as the queue would.
        commands.Enqueue(ScaleCommandCodec.Deserialize(ScaleCommandCodec.Serialize(command)));
        return Task.CompletedTask;
    }
}
