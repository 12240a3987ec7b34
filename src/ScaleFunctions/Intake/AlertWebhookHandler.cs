using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Alerts;
using ScaleFunctions.Authentication;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// POST /api/alerts, in order: 401 without valid credentials, 415 unless JSON, 413 above <c>Intake:MaxBodyBytes</c>,
/// 400 for a body that is not a webhook; then every alert is interpreted, the resolved ones recorded, the commands
/// coalesced and enqueued: 202 with a summary, or 503 when storage cannot be reached (Alertmanager retries; the
/// commands' idempotency keys make a repeat harmless). Invalid alerts are listed as rejected in the 202, beside the
/// valid ones: a 4xx would make Alertmanager drop the valid alerts too, and retrying never fixes an annotation.
/// </summary>
public sealed partial class AlertWebhookHandler(
    WebhookAuthenticator authenticator,
    AlertInterpreter interpreter,
    CommandCoalescer coalescer,
    ICommandQueue queue,
    IAlertResolutions resolutions,
    DecisionLog decisions,
    IOptions<IntakeOptions> options,
    ILogger<AlertWebhookHandler> logger) : IAlertWebhookHandler
{
    private const string Stage = "intake";

    public async Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        if (!authenticator.IsAuthorized(request))
        {
            return Refuse(WebhookResponses.Unauthorized(authenticator.Challenges), "missing or invalid credentials");
        }

        if (!IsJson(request.ContentType))
        {
            return Refuse(WebhookResponses.Error(415, "Content-Type must be application/json."), "not JSON");
        }

        var maxBytes = options.Value.MaxBodyBytes;
        var body = request.ContentLength > maxBytes ? null : await BoundedBody.ReadAsync(request.Body, maxBytes, cancellationToken);
        if (body is null)
        {
            return Refuse(WebhookResponses.Error(413, $"The body is larger than {maxBytes} bytes (Intake:MaxBodyBytes)."), "too large");
        }

        var parsed = AlertWebhookParser.Parse(body);
        if (parsed.Webhook is not { } webhook)
        {
            return Refuse(WebhookResponses.Error(400, parsed.Error!), parsed.Error!);
        }

        var interpretations = webhook.Alerts!.Select(alert => Interpret(alert!, webhook.Status)).ToList();
        var commands = coalescer.Coalesce(interpretations.OfType<CommandRequest>());
        var resolved = interpretations.OfType<ResolvedAlert>().ToList();
        foreach (var ignored in interpretations.OfType<IgnoredAlert>())
        {
            decisions.Record(new Decision(Stage, ignored.Cluster, "", [ignored.Alert.Fingerprint], DecisionOutcome.Ignored, ignored.Reason));
        }

        foreach (var rejected in interpretations.OfType<RejectedAlert>())
        {
            decisions.Record(new Decision(Stage, rejected.Cluster, rejected.Command, [rejected.Alert.Fingerprint], DecisionOutcome.Refused, rejected.Reason));
        }

        try
        {
            using var storage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            storage.CancelAfter(options.Value.StorageTimeout);
            foreach (var group in resolved.GroupBy(r => r.Cluster))
            {
                await resolutions.RecordAsync(group.Key, [.. group.Select(r => r.Alert)], storage.Token);
            }

            foreach (var command in commands)
            {
                await queue.EnqueueAsync(command.Command, null, storage.Token);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogStorageUnavailable(logger, ex, commands.Count, resolved.Count);
            return WebhookResponses.Error(503, "The command queue cannot be reached; nothing is lost, Alertmanager will send again.");
        }

        foreach (var r in resolved)
        {
            decisions.Record(new Decision(Stage, r.Cluster.ToString(), r.Command, [r.Alert.Fingerprint], DecisionOutcome.Ignored, ResolvedReason));
        }

        foreach (var (command, disagreed) in commands)
        {
            var reason = $"enqueued for {command.Target}, caused by {command.Alerts.Count} alert(s)" +
                (disagreed ? "; the alerts disagree on parameters, those of the first alert were used." : ".");
            decisions.Record(new Decision(
                Stage, command.Cluster.ToString(), AlertInterpreter.NameOf(command.Command), [.. command.Alerts.Select(a => a.Fingerprint)],
                DecisionOutcome.Acted, reason)
            { CommandKey = command.IdempotencyKey });
        }

        return WebhookResponses.Accepted(Summary(interpretations, commands));
    }

    private const string ResolvedReason = "resolved: recorded, so that a deferred command it caused is cancelled.";

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
            return new RejectedAlert(new AlertRef(fingerprint, alert.AlertName, alert.StartsAt ?? default), "", "", "internal error while reading this alert; see the app's log.");
        }
    }

    private static WebhookSummary Summary(IReadOnlyList<AlertInterpretation> interpretations, IReadOnlyList<CoalescedCommand> commands) => new(
        [.. commands.Select(c => new EnqueuedCommand(
            c.Command.IdempotencyKey, c.Command.Cluster.ToString(), AlertInterpreter.NameOf(c.Command.Command), c.Command.Target.ToString(),
            [.. c.Command.Alerts.Select(a => a.Fingerprint)]))],
        [.. interpretations.OfType<IgnoredAlert>().Select(i => Outcome(i, i.Reason)),
            .. interpretations.OfType<ResolvedAlert>().Select(r => Outcome(r, ResolvedReason))],
        [.. interpretations.OfType<RejectedAlert>().Select(r => Outcome(r, r.Reason))]);

    private static AlertOutcome Outcome(AlertInterpretation interpretation, string reason) =>
        new(Excerpt.Of(interpretation.Alert.Fingerprint), Excerpt.Of(interpretation.Alert.AlertName), reason);

    private WebhookResponse Refuse(WebhookResponse response, string reason)
    {
        LogRefused(logger, response.StatusCode, reason);
        return response;
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

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error,
        Message = "Storage cannot be reached; answered 503 so that Alertmanager sends again ({CommandCount} command(s), {ResolvedCount} resolved alert(s) pending)")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, int commandCount, int resolvedCount);
}
