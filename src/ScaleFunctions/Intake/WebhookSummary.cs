using System.Text.Json;

namespace ScaleFunctions.Intake;

/// <summary>
/// The body of a 202: the commands enqueued, and every alert that did not become (part of) one, with the reason.
/// Ignored: not ours, or resolved (recorded). Rejected: ours but invalid; fix the alert rule.
/// </summary>
public sealed record WebhookSummary(
    IReadOnlyList<EnqueuedCommand> Commands,
    IReadOnlyList<AlertOutcome> Ignored,
    IReadOnlyList<AlertOutcome> Rejected)
{
    public string Status => "accepted";
}

/// <summary>One enqueued command, as listed in a 202.</summary>
public sealed record EnqueuedCommand(string IdempotencyKey, string Cluster, string Command, string Target, IReadOnlyList<string> Fingerprints);

/// <summary>One alert that was ignored or rejected, and why.</summary>
public sealed record AlertOutcome(string Fingerprint, string AlertName, string Reason);

/// <summary>The responses intake gives, as <see cref="WebhookResponse"/>s with JSON bodies.</summary>
public static class WebhookResponses
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static WebhookResponse Accepted(WebhookSummary summary) => new(202, JsonSerializer.Serialize(summary, Json));

    public static WebhookResponse Error(int statusCode, string error) =>
        new(statusCode, JsonSerializer.Serialize(new { error }, Json));

    public static WebhookResponse Unauthorized(IReadOnlyList<string> challenges) =>
        Error(401, "Missing or invalid credentials.") with
        {
            Headers = [.. challenges.Select(c => KeyValuePair.Create("WWW-Authenticate", c))],
        };
}
