using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Intake;

/// <summary>
/// The part of a webhook POST that writes nothing (either format: Alertmanager's webhook or Prometheus' pushed array), shared by <c>/api/alerts</c>, <c>/api/v2/alerts</c> (<see cref="AlertWebhookHandler"/>) and
/// <c>/api/plan</c>: 403 on a route nothing in front of the app guards when no app-level credential is configured, 401 without valid credentials, 415 unless JSON, 413 above <c>Intake:MaxBodyBytes</c>, 408 for a
/// body that does not arrive, 400 for a body that is not a webhook, 413 above <c>Intake:MaxAlertsPerWebhook</c> alerts
/// or <c>Intake:MaxCommandsPerWebhook</c> commands; otherwise every alert interpreted and the commands coalesced.
/// </summary>
public sealed partial class WebhookReader(
    WebhookAuthenticator authenticator,
    AlertInterpreter interpreter,
    CommandCoalescer coalescer,
    TimeProvider time,
    IOptions<IntakeOptions> options,
    ILogger<WebhookReader> logger)
{
    /// <param name="authenticated">The caller has authenticated the sender already: the local command line, where
    /// whoever can run it can read the settings and their credentials anyway.</param>
    public async Task<WebhookReading> ReadAsync(WebhookRequest request, CancellationToken cancellationToken, bool authenticated = false)
    {
        var settings = options.Value;
        if (!authenticated && request.RequiresAppCredential && !authenticator.IsRequired)
        {
            return Refuse(WebhookResponses.Error(403,
                "This route has no function key check in front of it and no app-level credential is configured: set Auth__BearerToken, or Auth__BasicUsername and Auth__BasicPassword (see docs/prometheus.md)."),
                "no app-level credential for a route without a function key");
        }

        if (!authenticated && !authenticator.IsAuthorized(request))
        {
            return Refuse(WebhookResponses.Unauthorized(authenticator.Challenges), "missing or invalid credentials");
        }

        if (!IsJson(request.ContentType))
        {
            return Refuse(WebhookResponses.Error(415, "Content-Type must be application/json."), "not JSON");
        }

        var maxBytes = settings.MaxBodyBytes;
        PooledBody? body;
        try
        {
            body = request.ContentLength > maxBytes ? null : await BoundedBody.ReadAsync(request.Body, maxBytes, cancellationToken, request.ContentLength);
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The server gave up waiting for the body (Kestrel's minimum data rate: 408) or the sender cut it off.
            return Refuse(WebhookResponses.Error(408, "The body did not arrive completely (too slow or cut off); nothing was recorded or enqueued."), "body incomplete");
        }

        if (body is null)
        {
            return Refuse(WebhookResponses.Error(413, $"The body is larger than {maxBytes} bytes (Intake:MaxBodyBytes)."), "too large");
        }

        AlertWebhookParseResult parsed;
        using (body)
        {
            parsed = AlertWebhookParser.Parse(body.Span, time.GetUtcNow(), settings.ClockSkew);
        }

        if (parsed.Webhook is not { } webhook)
        {
            return Refuse(WebhookResponses.Error(400, parsed.Error!), parsed.Error!);
        }

        if (webhook.Alerts!.Count > settings.MaxAlertsPerWebhook)
        {
            return Refuse(WebhookResponses.Error(413,
                $"The webhook has {webhook.Alerts.Count} alerts, more than {settings.MaxAlertsPerWebhook} (Intake:MaxAlertsPerWebhook); nothing was recorded or enqueued. " +
                (webhook.Format == AlertFormat.Pushed
                    ? $"Set Prometheus' --alertmanager.notification-batch-size to at most {settings.MaxAlertsPerWebhook}."
                    : $"Set max_alerts in the webhook_config to at most {settings.MaxAlertsPerWebhook}.")),
                "too many alerts");
        }

        var interpretations = webhook.Alerts.Select(alert => Interpret(alert!, webhook.Status)).ToList();
        var commands = coalescer.Coalesce(interpretations.OfType<CommandRequest>());
        if (commands.Count > settings.MaxCommandsPerWebhook)
        {
            return Refuse(WebhookResponses.Error(413,
                $"The webhook asks for {commands.Count} commands, more than {settings.MaxCommandsPerWebhook} (Intake:MaxCommandsPerWebhook); nothing was recorded or enqueued. Group the alerts so that one notification asks for fewer."),
                "too many commands");
        }

        return new WebhookReading(null, interpretations, commands);
    }

    // A fault in interpreting one alert must not cost the others: that alert is rejected, the rest go on.
    private AlertInterpretation Interpret(Alert alert, string? webhookStatus)
    {
        try
        {
            return interpreter.Interpret(alert, webhookStatus);
        }
        catch (Exception ex)
        {
            LogInterpretationFailed(logger, ex);
            var fingerprint = string.IsNullOrEmpty(alert.Fingerprint) ? AlertFingerprint.Of(alert.Labels) : alert.Fingerprint;
            return new RejectedAlert(new AlertRef(fingerprint, alert.AlertName, alert.StartsAt ?? default), "", "", "internal error while reading this alert; see the app's log.")
            {
                Code = IntakeReasonCodes.InternalError,
            };
        }
    }

    private WebhookReading Refuse(WebhookResponse response, string reason)
    {
        LogRefused(logger, response.StatusCode, reason);
        return new WebhookReading(response, [], []);
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Webhook refused with {StatusCode}: {Reason}")]
    private static partial void LogRefused(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Interpreting an alert failed; it is rejected, the others are processed")]
    private static partial void LogInterpretationFailed(ILogger logger, Exception exception);
}

/// <summary>A webhook read: either the refusal to answer (nothing interpreted), or every alert interpreted and the commands coalesced.</summary>
public sealed record WebhookReading(WebhookResponse? Refusal, IReadOnlyList<AlertInterpretation> Interpretations, IReadOnlyList<CoalescedCommand> Commands);
