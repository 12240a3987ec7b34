using System.Text.Encodings.Web;
using System.Text.Json;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Intake;

/// <summary>
/// The body of a 202: the commands enqueued, and every alert that did not become (part of) one, with the reason.
/// Ignored: not ours, or resolved (recorded). Rejected: ours but invalid; fix the alert rule. Failed: commands that
/// storage refused for good (a 4xx from storage: retrying cannot help, so the webhook is not answered 503).
/// </summary>
public sealed record WebhookSummary(
    IReadOnlyList<EnqueuedCommand> Commands,
    IReadOnlyList<AlertOutcome> Ignored,
    IReadOnlyList<AlertOutcome> Rejected)
{
    public IReadOnlyList<FailedCommand> Failed { get; init; } = [];

    public string Status => Failed.Count == 0 ? "accepted" : "partial";
}

/// <summary>
/// One enqueued command, as listed in a 202: the fingerprints it lists (at most <see cref="ScaleCommand.MaxAlerts"/>)
/// and how many alerts caused it.
/// </summary>
public sealed record EnqueuedCommand(string IdempotencyKey, string Cluster, string Command, string Target, IReadOnlyList<string> Fingerprints)
{
    public int AlertCount { get; init; }
}

/// <summary>A command that was not enqueued because storage refused it for good, and why.</summary>
public sealed record FailedCommand(string IdempotencyKey, string Cluster, string Command, string Target, string Reason);

/// <summary>One alert that was ignored or rejected, and why.</summary>
public sealed record AlertOutcome(string Fingerprint, string AlertName, string Reason);

/// <summary>The responses intake gives, as <see cref="WebhookResponse"/>s with JSON bodies.</summary>
public static class WebhookResponses
{
    // application/json, never HTML: quotes and apostrophes in reasons stay readable instead of \u0027.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static WebhookResponse Accepted(WebhookSummary summary) => new(202, JsonSerializer.Serialize(summary, Json));

    public static WebhookResponse Error(int statusCode, string error) =>
        new(statusCode, JsonSerializer.Serialize(new { error }, Json));

    public static WebhookResponse Unauthorized(IReadOnlyList<string> challenges) =>
        Error(401, "Missing or invalid credentials.") with
        {
            Headers = [.. challenges.Select(c => KeyValuePair.Create("WWW-Authenticate", c))],
        };
}
