using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The local stand-in for the Functions queue trigger on <c>%ScaleCommandQueue%</c>, with host.json's
/// <c>extensions.queues</c> settings and the trigger's documented behaviour:
/// <list type="bullet">
/// <item>fetches up to <c>batchSize</c> messages, and fetches again when no more than <c>newBatchThreshold</c> are in flight;</item>
/// <item>polls an empty queue with a random exponential back-off from 100 ms up to <c>maxPollingInterval</c>;</item>
/// <item>keeps a message invisible while it is processed (10 minutes, renewed halfway);</item>
/// <item>deletes a message when the handler returns; when it throws, makes it visible again after <c>visibilityTimeout</c>;</item>
/// <item>after <c>maxDequeueCount</c> failed attempts, moves it to <c>&lt;queue&gt;-poison</c>.</item>
/// </list>
/// Runs only when an <see cref="IScaleCommandHandler"/> is registered, and not when the Functions host's switch for the
/// function, <c>AzureWebJobs.scale-commands.Disabled</c>, is true.
/// </summary>
public sealed partial class QueueListener(
    IServiceProviderIsService registrations,
    IConfiguration configuration,
    IServiceScopeFactory scopes,
    StorageAccount storage,
    IOptions<CommandQueueOptions> queueOptions,
    IOptions<QueueListenerOptions> listenerOptions,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(10);

    private readonly QueueListenerOptions options = listenerOptions.Value;
    private readonly QueueClient queue = storage.GetQueue(queueOptions.Value.Name);
    private readonly QueueClient poison = storage.GetQueue(queueOptions.Value.PoisonName);

    /// <summary>The Functions host's switch for the queue function, honoured here too.</summary>
    public const string DisabledSetting = "AzureWebJobs.scale-commands.Disabled";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registrations.IsService(typeof(IScaleCommandHandler)))
        {
            LogNoHandler(logger, queue.Name);
            return;
        }

        if (new FunctionSwitches(configuration).IsDisabled(FunctionSwitches.ScaleCommands))
        {
            LogDisabled(logger, queue.Name, DisabledSetting);
            return;
        }

        LogListening(logger, queue.Name, options.BatchSize, options.EffectiveNewBatchThreshold, options.MaxDequeueCount);
        var inFlight = new List<Task>();
        var pollingInterval = MinimumPollingInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            inFlight.RemoveAll(task => task.IsCompleted);
            if (inFlight.Count > options.EffectiveNewBatchThreshold)
            {
                await Task.WhenAny(inFlight);
                continue;
            }

            var messages = await ReceiveAsync(stoppingToken);
            if (messages.Length == 0)
            {
                if (!await WaitAsync(Jitter(pollingInterval), stoppingToken))
                {
                    break;
                }

                pollingInterval = TimeSpan.FromTicks(Math.Min(pollingInterval.Ticks * 2, options.MaxPollingInterval.Ticks));
                continue;
            }

            pollingInterval = MinimumPollingInterval;
            inFlight.AddRange(messages.Select(message => ProcessAsync(message, stoppingToken)));
        }

        await Task.WhenAll(inFlight);
    }

    private async Task<QueueMessage[]> ReceiveAsync(CancellationToken stoppingToken)
    {
        try
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            return (await queue.ReceiveMessagesAsync(options.BatchSize, ProcessingVisibility, stoppingToken)).Value;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogReceiveFailed(logger, ex, queue.Name);
            return [];
        }
        catch (OperationCanceledException)
        {
            return [];
        }
    }

    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, message.PopReceipt);
                return;
            }

            using var renewal = new VisibilityRenewal(queue, message, ProcessingVisibility);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var handler = scope.ServiceProvider.GetRequiredService<IScaleCommandHandler>();
                await handler.HandleAsync(message.Body.ToString(), new QueueMessageContext(message.MessageId, message.DequeueCount), stoppingToken);
            }
            catch (Exception ex)
            {
                var receipt = await renewal.StopAsync();
                if (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down: give the message back at once rather than after the processing visibility.
                    await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
                    return;
                }

                LogHandlerFailed(logger, ex, message.MessageId, message.DequeueCount, options.MaxDequeueCount);
                if (message.DequeueCount >= options.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(message, receipt);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, receipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }

                return;
            }

            await queue.DeleteMessageAsync(message.MessageId, await renewal.StopAsync(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Storage trouble while settling a message: it becomes visible again by itself and is tried again.
            LogSettleFailed(logger, ex, message.MessageId);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string popReceipt)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
        LogPoisoned(logger, message.MessageId, message.DequeueCount, poison.Name);
    }

    private static TimeSpan Jitter(TimeSpan interval) => interval * (0.8 + (Random.Shared.NextDouble() * 0.4));

    private static async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No command handler is registered; not listening on queue {Queue}")]
    private static partial void LogNoHandler(ILogger logger, string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "The executor is disabled ({Setting}); not listening on queue {Queue}")]
    private static partial void LogDisabled(ILogger logger, string queue, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening on queue {Queue} (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxDequeueCount {MaxDequeueCount})")]
    private static partial void LogListening(ILogger logger, string queue, int batchSize, int newBatchThreshold, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read queue {Queue}; polling again later")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling message {MessageId} failed (attempt {DequeueCount} of {MaxDequeueCount})")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string messageId, long dequeueCount, int maxDequeueCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not settle message {MessageId}; it becomes visible again by itself")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} failed {DequeueCount} time(s); moved to {PoisonQueue}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, long dequeueCount, string poisonQueue);
}
