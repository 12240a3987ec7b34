namespace ScaleFunctions.Intake;

/// <summary>Authenticates, validates and interprets an Alertmanager webhook POST and enqueues the resulting commands.</summary>
public interface IAlertWebhookHandler
{
    Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken);
}
