using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Intake;

/// <summary>
/// The HTTP function's work (<c>/api/alerts</c>, <c>/api/v2/alerts</c>): the webhook read by <see cref="WebhookReader"/>,
/// then the resolved alerts recorded and the commands enqueued, answered 202 with what became of each alert. 503 only
/// while storage is unreachable: a resend is safe, since resolutions are upserts and commands carry idempotency keys;
/// an invalid alert is listed as rejected beside the valid ones rather than failing them all (docs/intake.md#responses).
/// </summary>
public sealed partial class AlertWebhookHandler(
    WebhookReader reader,
    ICommandQueue queue,
    IAlertResolutions resolutions,
    DecisionLog decisions,
    IOptions<IntakeOptions> options,
    ILogger<AlertWebhookHandler> logger)
{
    private const string Stage = "intake";
    private const int ParallelEnqueues = 8;

    public async Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var reading = await reader.ReadAsync(request, cancellationToken);
        if (reading.Refusal is { } refusal)
        {
            return refusal;
        }

        var (interpretations, commands) = (reading.Interpretations, reading.Commands);
        var resolved = interpretations.OfType<ResolvedAlert>().ToList();
        foreach (var ignored in interpretations.OfType<IgnoredAlert>())
        {
            // Not about scaling a managed cluster: counted, never logged (an Alertmanager may send every alert here).
            decisions.Count(new Decision(Stage, ignored.Cluster, "", [], DecisionOutcome.Ignored, ignored.Reason) { ReasonCode = ignored.Code });
        }

        foreach (var rejected in interpretations.OfType<RejectedAlert>())
        {
            decisions.Record(new Decision(Stage, rejected.Cluster, rejected.Command, [rejected.Alert.Fingerprint], DecisionOutcome.Refused, rejected.Reason)
            {
                ReasonCode = rejected.Code,
            });
        }

        // Known before anything is written: a command can never be too large for the queue (its alert list is
        // capped); should one be, it is refused like any command storage refuses for good.
        var failed = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (command, _) in commands.Where(c => ScaleCommandCodec.EncodedLength(c.Command) > ScaleCommandCodec.MaxMessageBytes))
        {
            failed[command.IdempotencyKey] = $"the command is larger than a queue message ({ScaleCommandCodec.MaxMessageBytes} bytes encoded)";
        }

        var unrecorded = new ConcurrentDictionary<ClusterRef, string>();
        try
        {
            using var storage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            storage.CancelAfter(settings.StorageTimeout);
            await StoreAsync(resolved, commands, failed, unrecorded, storage.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogStorageUnavailable(logger, ex, commands.Count, resolved.Count);
            return WebhookResponses.Error(503, "Storage cannot be reached; Alertmanager will send again (Prometheus at its next resend), and what was already enqueued is recognised by its idempotency key.");
        }

        RecordStored(resolved, commands, failed, unrecorded);
        return WebhookResponses.Accepted(Summary(interpretations, commands, failed, unrecorded));
    }

    /// <summary>
    /// Resolutions first (table batches), then the commands, a few at a time. A permanent refusal is noted in
    /// <paramref name="failed"/> or <paramref name="unrecorded"/>; anything else is thrown (503).
    /// </summary>
    private async Task StoreAsync(
        IReadOnlyList<ResolvedAlert> resolved,
        IReadOnlyList<CoalescedCommand> commands,
        ConcurrentDictionary<string, string> failed,
        ConcurrentDictionary<ClusterRef, string> unrecorded,
        CancellationToken cancellationToken)
    {
        await Task.WhenAll(resolved.GroupBy(r => r.Cluster).Select(async group =>
        {
            try
            {
                await resolutions.RecordAsync(group.Key, [.. group.Select(r => r.Alert)], cancellationToken);
            }
            catch (Exception ex) when (StorageErrors.IsPermanent(ex))
            {
                LogStorageRefused(logger, ex, "recording resolved alerts of", group.Key.ToString());
                unrecorded[group.Key] = StorageErrors.Describe(ex);
            }
        }));

        await Parallel.ForEachAsync(
            commands.Select(c => c.Command).Where(c => !failed.ContainsKey(c.IdempotencyKey)),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelEnqueues, CancellationToken = cancellationToken },
            async (command, ct) =>
            {
                try
                {
                    await queue.EnqueueAsync(command, null, ct);
                }
                catch (Exception ex) when (StorageErrors.IsPermanent(ex))
                {
                    LogStorageRefused(logger, ex, "enqueueing a command for", command.Cluster.ToString());
                    failed[command.IdempotencyKey] = StorageErrors.Describe(ex);
                }
            });
    }

    /// <summary>One decision per cluster and command for the resolved alerts, one per command.</summary>
    private void RecordStored(
        IReadOnlyList<ResolvedAlert> resolved,
        IReadOnlyList<CoalescedCommand> commands,
        IReadOnlyDictionary<string, string> failed,
        IReadOnlyDictionary<ClusterRef, string> unrecorded)
    {
        foreach (var group in resolved.GroupBy(r => (r.Cluster, r.Command)))
        {
            var refused = unrecorded.TryGetValue(group.Key.Cluster, out var error);
            decisions.Record(new Decision(
                Stage, group.Key.Cluster.ToString(), group.Key.Command, [.. group.Select(r => r.Alert.Fingerprint)],
                refused ? DecisionOutcome.Refused : DecisionOutcome.Ignored,
                refused
                    ? $"{group.Count()} resolved alert(s) not recorded: {error}."
                    : $"{group.Count()} resolved alert(s) recorded, so that a deferred command they caused is cancelled.")
            {
                ReasonCode = refused ? IntakeReasonCodes.StorageRefused : IntakeReasonCodes.Resolved,
            });
        }

        foreach (var (command, disagreed) in commands)
        {
            var name = ScaleCommandNames.Of(command.Command);
            var fingerprints = command.Alerts.Select(a => a.Fingerprint).ToList();
            if (failed.TryGetValue(command.IdempotencyKey, out var error))
            {
                decisions.Record(new Decision(Stage, command.Cluster.ToString(), name, fingerprints, DecisionOutcome.Refused,
                    $"not enqueued for {command.Target}: {error}; retrying cannot help.")
                { CommandKey = command.IdempotencyKey, ReasonCode = IntakeReasonCodes.StorageRefused });
                continue;
            }

            var listed = command.AlertCount > command.Alerts.Count ? $" ({command.Alerts.Count} listed)" : "";
            var reason = $"enqueued for {command.Target}, caused by {command.AlertCount} alert(s){listed}" +
                (disagreed ? "; the alerts disagree on parameters, those of the first alert were used." : ".");
            decisions.Record(new Decision(Stage, command.Cluster.ToString(), name, fingerprints, DecisionOutcome.Acted, reason)
            {
                CommandKey = command.IdempotencyKey,
                ReasonCode = IntakeReasonCodes.Enqueued,
            });
        }
    }

    private const string ResolvedReason = "resolved: recorded, so that a deferred command it caused is cancelled.";

    private static string ResolvedOutcome(ResolvedAlert alert, IReadOnlyDictionary<ClusterRef, string> unrecorded) =>
        unrecorded.TryGetValue(alert.Cluster, out var error) ? $"resolved, but not recorded: {error}." : ResolvedReason;

    private static WebhookSummary Summary(
        IReadOnlyList<AlertInterpretation> interpretations,
        IReadOnlyList<CoalescedCommand> commands,
        IReadOnlyDictionary<string, string> failed,
        IReadOnlyDictionary<ClusterRef, string> unrecorded) => new(
        [.. commands.Select(c => c.Command).Where(c => !failed.ContainsKey(c.IdempotencyKey)).Select(c => new EnqueuedCommand(
            c.IdempotencyKey, c.Cluster.ToString(), ScaleCommandNames.Of(c.Command), c.Target.ToString(), [.. c.Alerts.Select(a => a.Fingerprint)])
        {
            AlertCount = c.AlertCount,
        })],
        [.. interpretations.OfType<IgnoredAlert>().Select(i => Outcome(i, i.Reason)),
            .. interpretations.OfType<ResolvedAlert>().Select(r => Outcome(r, ResolvedOutcome(r, unrecorded)))],
        [.. interpretations.OfType<RejectedAlert>().Select(r => Outcome(r, r.Reason))])
        {
            Failed = [.. commands.Select(c => c.Command).Where(c => failed.ContainsKey(c.IdempotencyKey)).Select(c => new FailedCommand(
            c.IdempotencyKey, c.Cluster.ToString(), ScaleCommandNames.Of(c.Command), c.Target.ToString(), failed[c.IdempotencyKey]))],
        };

    private static AlertOutcome Outcome(AlertInterpretation interpretation, string reason) =>
        new(Excerpt.Of(interpretation.Alert.Fingerprint), Excerpt.Of(interpretation.Alert.AlertName), reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "Storage refused {Doing} {Cluster} for good; retrying cannot help, so it is reported in the 202")]
    private static partial void LogStorageRefused(ILogger logger, Exception exception, string doing, string cluster);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error,
        Message = "Storage cannot be reached; answered 503 so that Alertmanager sends again ({CommandCount} command(s), {ResolvedCount} resolved alert(s) pending)")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, int commandCount, int resolvedCount);
}

/// <summary>
/// Everything a webhook POST takes before anything is written: credentials, content type, size, parsing, caps, one
/// interpretation per alert and the coalesced commands. Every refusal (4xx) is made here, so a refused request changes
/// nothing; <c>/api/plan</c> shares it (docs/intake.md#responses, #limits).
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
