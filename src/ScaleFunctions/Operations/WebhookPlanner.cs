using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Intake;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Operations;

/// <summary>
/// POST /api/plan (and the local host's <c>plan</c> verb): what a webhook would do to the clusters now — read by the
/// same <see cref="WebhookReader"/> as /api/alerts, each command decided by <see cref="ScaleExecutor.PlanAsync"/> —
/// writing nothing (docs/operate.md#plan-post-apiplan).
/// </summary>
public sealed partial class WebhookPlanner(WebhookReader reader, Func<ScaleExecutor> executor, ILogger<WebhookPlanner> logger)
{
    public const string UnavailableCode = "Unavailable";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <param name="authenticated">See <see cref="WebhookReader.ReadAsync"/>: true only for the local command line.</param>
    public async Task<WebhookResponse> PlanAsync(WebhookRequest request, CancellationToken cancellationToken, bool authenticated = false)
    {
        var reading = await reader.ReadAsync(request, cancellationToken, authenticated);
        if (reading.Refusal is { } refusal)
        {
            return refusal;
        }

        var planned = new List<PlannedCommand>();
        foreach (var (command, disagreed) in reading.Commands)
        {
            var name = ScaleCommandNames.Of(command.Command);
            PlannedDecision decision;
            try
            {
                // Resolved here: a Kubernetes connection that cannot be configured is this command's Unavailable, not a 500.
                decision = await executor().PlanAsync(command, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The executor would leave the command on the queue and try again. Status and type only: a client-side
                // message can carry configuration details.
                var status = ex.StatusCode() is { } code ? $"HTTP {(int)code}, " : "";
                decision = new PlannedDecision(Decisions.DecisionOutcome.Deferred, UnavailableCode,
                    $"could not decide now ({status}{ex.GetType().Name}); the executor would leave the command on the queue and try again", null);
            }

            LogPlanned(logger, command.Cluster.ToString(), name, command.IdempotencyKey, decision.Outcome.ToString(), decision.ReasonCode, decision.Reason);
            planned.Add(new PlannedCommand(
                command.IdempotencyKey, command.Cluster.ToString(), name, command.Target.ToString(), [.. command.Alerts.Select(a => a.Fingerprint)],
                command.AlertCount, disagreed, decision.Outcome.ToString(), decision.ReasonCode, decision.Reason, decision.DeferFor, decision.Patch));
        }

        var body = new PlanBody(
            planned,
            [.. reading.Interpretations.OfType<IgnoredAlert>().Select(i => Outcome(i, i.Reason)),
                .. reading.Interpretations.OfType<ResolvedAlert>().Select(r => Outcome(r, "resolved: /api/alerts would record it, so that a deferred command it caused is cancelled."))],
            [.. reading.Interpretations.OfType<RejectedAlert>().Select(r => Outcome(r, r.Reason))]);
        return new WebhookResponse(200, JsonSerializer.Serialize(body, Json));
    }

    private static AlertOutcome Outcome(AlertInterpretation interpretation, string reason) =>
        new(Excerpt.Of(interpretation.Alert.Fingerprint), Excerpt.Of(interpretation.Alert.AlertName), reason);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information,
        Message = "Plan, nothing written: {Command} for {Cluster} (command {CommandKey}) would be {Outcome}, {ReasonCode}: {Reason}")]
    private static partial void LogPlanned(ILogger logger, string cluster, string command, string commandKey, string outcome, string reasonCode, string reason);
}

/// <summary>The answer of a plan: every command the webhook would make with the executor's decision, and the alerts that make none.</summary>
public sealed record PlanBody(IReadOnlyList<PlannedCommand> Commands, IReadOnlyList<AlertOutcome> Ignored, IReadOnlyList<AlertOutcome> Rejected)
{
    /// <summary>Said in every answer, so that nobody mistakes a plan for a change.</summary>
    public string Note => "plan only: nothing was enqueued, recorded or written";
}

/// <summary>
/// One command of a plan: as /api/alerts would enqueue it, and what the executor would decide — outcome (Acted,
/// Deferred, Refused, Ignored), reason code, reason, how long a deferral waits, and the JSON Patch an action writes.
/// </summary>
public sealed record PlannedCommand(
    string IdempotencyKey,
    string Cluster,
    string Command,
    string Target,
    IReadOnlyList<string> Fingerprints,
    int AlertCount,
    bool ParametersDisagreed,
    string Outcome,
    string ReasonCode,
    string Reason,
    TimeSpan? DeferFor,
    JsonNode? Patch);
