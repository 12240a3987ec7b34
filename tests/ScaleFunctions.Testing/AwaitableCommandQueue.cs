using ScaleFunctions.Commands;

namespace ScaleFunctions.Testing;

/// <summary>An in-memory <see cref="ICommandQueue"/> a test can await: <see cref="WhenCountAsync"/> completes when that many commands are in.</summary>
public sealed class AwaitableCommandQueue : ICommandQueue
{
    private readonly List<ScaleCommand> commands = [];
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<ScaleCommand>> Signal)> waiters = [];

    public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
    {
        lock (commands)
        {
            commands.Add(ScaleCommandCodec.Deserialize(ScaleCommandCodec.Serialize(command)));
            foreach (var waiter in waiters.Where(w => commands.Count >= w.Count).ToList())
            {
                waiters.Remove(waiter);
                waiter.Signal.TrySetResult([.. commands]);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScaleCommand>> WhenCountAsync(int count)
    {
        lock (commands)
        {
            if (commands.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<ScaleCommand>>([.. commands]);
            }

            var signal = new TaskCompletionSource<IReadOnlyList<ScaleCommand>>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, signal));
            return signal.Task;
        }
    }
}
