using System.Collections.Concurrent;
using System.Threading.Channels;
using ScaleFunctions.Execution;

namespace ScaleFunctions.Testing;

/// <summary>
/// An <see cref="IScaleCommandHandler"/> that runs a script per call and reports each call on <see cref="Calls"/>,
/// so that tests await deliveries instead of sleeping.
/// </summary>
public sealed class ScriptedCommandHandler(Func<string, QueueMessageContext, Task> script) : IScaleCommandHandler
{
    private readonly Channel<(string Text, QueueMessageContext Context)> calls = Channel.CreateUnbounded<(string, QueueMessageContext)>();
    private readonly ConcurrentQueue<(string Text, QueueMessageContext Context)> history = new();

    public ChannelReader<(string Text, QueueMessageContext Context)> Calls => calls.Reader;

    public IReadOnlyList<(string Text, QueueMessageContext Context)> History => [.. history];

    public async Task HandleAsync(string messageText, QueueMessageContext context, CancellationToken cancellationToken)
    {
        history.Enqueue((messageText, context));
        await calls.Writer.WriteAsync((messageText, context), cancellationToken);
        await script(messageText, context);
    }

    /// <summary>The next call, or a failure after the deadline.</summary>
    public async Task<(string Text, QueueMessageContext Context)> NextCallAsync(TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Eventually.DefaultDeadline);
        return await calls.Reader.ReadAsync(timeout.Token);
    }
}
