using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Execution;

/// <summary>
/// The queue's entry point: parses the message and hands it to <see cref="ScaleExecutor"/>. A message that can never
/// be executed is refused and completed. A transient failure is thrown so the queue delivers the message again; on the
/// last delivery (<c>Executor:MaxDequeueCount</c>, equal to host.json's <c>maxDequeueCount</c>) it is logged as a
/// RetriesExhausted decision with its reason before the host moves it to the poison queue.
/// </summary>
public sealed partial class ScaleCommandHandler(
    ScaleExecutor executor,
    DecisionLog decisions,
    IOptions<ExecutorOptions> options,
    ILogger<ScaleCommandHandler> logger) : IScaleCommandHandler
{
    public async Task HandleAsync(string messageText, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ScaleCommand command;
        try
        {
            command = ScaleCommandCodec.Deserialize(messageText);
        }
        catch (InvalidCommandException ex)
        {
            decisions.Record(new Decision(ScaleExecutor.Stage, "unknown", "unknown", [], DecisionOutcome.Refused,
                $"{ReasonCodes.InvalidCommand}: message {context.MessageId}: {ex.Message}")
            { ReasonCode = ReasonCodes.InvalidCommand });
            return;
        }

        try
        {
            await executor.ExecuteAsync(command, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var max = options.Value.MaxDequeueCount;
            var reason = $"{ex.GetType().Name}: {ex.ApiMessage()}";
            if (context.DequeueCount >= max)
            {
                decisions.Record(new Decision(ScaleExecutor.Stage, command.Cluster.ToString(), ScaleCommandNames.Of(command.Command),
                    command.Alerts.Select(a => a.Fingerprint).ToList(), DecisionOutcome.Refused,
                    $"{ReasonCodes.RetriesExhausted}: delivery {context.DequeueCount} of {max} failed ({reason}); the message moves to the poison queue")
                {
                    CommandKey = command.IdempotencyKey,
                    ReasonCode = ReasonCodes.RetriesExhausted,
                });
            }
            else
            {
                LogTransient(logger, command.Cluster.ToString(), command.IdempotencyKey, context.DequeueCount, max, reason);
            }

            throw;
        }
    }

    [LoggerMessage(1100, LogLevel.Warning, "Command {CommandKey} for {Cluster} failed on delivery {DequeueCount} of {MaxDequeueCount} ({Reason}); the queue will deliver it again")]
    private static partial void LogTransient(ILogger logger, string cluster, string commandKey, long dequeueCount, int maxDequeueCount, string reason);
}
