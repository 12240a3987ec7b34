namespace ScaleFunctions.Operations;

/// <summary>Reachability of the queue, Kubernetes and Cruise Control per cluster, without secrets.</summary>
public interface IHealthReport
{
    Task<WebhookHealth> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The health answer: HTTP status (200 healthy, 503 not) and a JSON body.</summary>
public sealed record WebhookHealth(int StatusCode, string JsonBody);
