namespace ScaleFunctions.Commands;

/// <summary>
/// The command queue (<c>ScaleCommandQueue</c>). Intake enqueues new commands; the executor puts deferred ones back
/// with a visibility delay. Throws when the queue cannot be reached.
/// </summary>
public interface ICommandQueue
{
    Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken);
}
