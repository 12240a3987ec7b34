using System.Collections.Concurrent;
using System.Threading.Channels;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Azure.WebJobs.Host.Queues;

namespace ScaleFunctions.Testing;

/// <summary>
/// Reports each message the WebJobs SDK's queue trigger has settled (deleted, released for another delivery, or moved
/// to the poison queue), through the SDK's own extension point (<see cref="IQueueProcessorFactory"/>), so that tests
/// await a settlement instead of polling the queue. The processing itself is the SDK's, unchanged.
/// </summary>
public sealed class QueueSettlements : IQueueProcessorFactory
{
    private readonly Channel<Settlement> settled = Channel.CreateUnbounded<Settlement>();

    /// <summary>One settled delivery: the message, its dequeue count, whether the function succeeded, whether it went to the poison queue.</summary>
    public sealed record Settlement(string MessageId, string Text, long DequeueCount, bool Succeeded, bool Poisoned);

    public QueueProcessor Create(QueueProcessorOptions queueProcessorOptions) => new Observed(queueProcessorOptions, settled.Writer);

    /// <summary>The next settled delivery, or a failure after the deadline (a bound on failure, not a timing claim).</summary>
    public async Task<Settlement> NextAsync(TimeSpan? deadline = null)
    {
        using var timeout = new CancellationTokenSource(deadline ?? Eventually.DefaultDeadline);
        return await settled.Reader.ReadAsync(timeout.Token);
    }

    private sealed class Observed : QueueProcessor
    {
        private readonly ChannelWriter<Settlement> settled;
        private readonly ConcurrentDictionary<string, bool> poisoned = new();

        public Observed(QueueProcessorOptions options, ChannelWriter<Settlement> settled)
            : base(options)
        {
            this.settled = settled;
            MessageAddedToPoisonQueueAsync += (_, e) =>
            {
                poisoned[e.Message.MessageId] = true;
                return Task.CompletedTask;
            };
        }

        protected override async Task CompleteProcessingMessageAsync(QueueMessage message, FunctionResult result, CancellationToken cancellationToken)
        {
            await base.CompleteProcessingMessageAsync(message, result, cancellationToken);
            settled.TryWrite(new Settlement(message.MessageId, message.MessageText, message.DequeueCount, result.Succeeded, poisoned.TryRemove(message.MessageId, out _)));
        }
    }
}
