namespace ScaleFunctions.Execution;

/// <summary>
/// Executes one command message from the queue. Returns normally when the message is done with (acted, refused,
/// deferred by re-enqueueing, dropped); throws for a transient failure so the queue delivers it again.
/// </summary>
public interface IScaleCommandHandler
{
    Task HandleAsync(string messageText, QueueMessageContext context, CancellationToken cancellationToken);
}
