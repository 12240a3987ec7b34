using ScaleFunctions.Commands;

namespace ScaleFunctions.Execution;

/// <summary>Puts a deferred command back on the command queue, invisible for a while.</summary>
public interface IScaleCommandQueue
{
    Task DeferAsync(ScaleCommand command, TimeSpan delay, CancellationToken cancellationToken);
}
