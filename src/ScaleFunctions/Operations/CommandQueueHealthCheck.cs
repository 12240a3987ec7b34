using Azure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Operations;

/// <summary>
/// Health check <c>queue</c>: the command queue answers through <see cref="StorageAccount"/> (the same credentials the
/// app uses). Degraded when its poison queue holds messages: commands the executor gave up on, to be looked at.
/// Descriptions name the queue and the HTTP status, never the endpoint's credentials or an exception message.
/// </summary>
public sealed class CommandQueueHealthCheck(StorageAccount storage, IOptions<CommandQueueOptions> queue) : IHealthCheck
{
    public const string Name = "queue";

    private string QueueName => queue.Value.Name;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            var waiting = (await storage.GetQueue(QueueName).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            var poison = await PoisonCountAsync(cancellationToken);
            var summary = $"Queue {QueueName} reachable: {waiting} message(s) waiting, {poison} in {QueueName}-poison.";
            return poison > 0
                ? HealthCheckResult.Degraded($"{summary} Poison messages are commands that failed repeatedly; see docs/deploy.md.")
                : HealthCheckResult.Healthy(summary);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Storage answers; intake creates the queue with the first command (Bicep creates it in Azure).
            return HealthCheckResult.Degraded($"Queue {QueueName} does not exist yet; intake creates it with the first command.");
        }
        catch (RequestFailedException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"Queue {QueueName} is not usable: HTTP {ex.Status} {ex.ErrorCode}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"Queue {QueueName} is not reachable ({ex.GetType().Name}).");
        }
    }

    private async Task<int> PoisonCountAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await storage.GetQueue(queue.Value.PoisonName).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0; // The host creates the poison queue on the first poison message.
        }
    }
}
