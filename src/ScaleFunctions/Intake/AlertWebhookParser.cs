using System.Text;
using System.Text.Json;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// Parses a body in either format the intake takes, with System.Text.Json: an Alertmanager webhook (a JSON object with
/// an <c>alerts</c> array), or what Prometheus posts to an Alertmanager (<c>POST /api/v2/alerts</c>: a JSON array of
/// <c>postableAlert</c>s), which it returns as the same model (see <see cref="PushedAlerts"/>). Returns the envelope, or
/// the reason it is not one (not UTF-8, malformed JSON, a key given twice in any object, wrong value types, nesting
/// deeper than <see cref="MaxDepth"/>, no <c>alerts</c> array, an entry that is not an object).
/// </summary>
public static class AlertWebhookParser
{
    /// <summary>A webhook is four levels deep; unknown fields get some room, hostile nesting does not.</summary>
    public const int MaxDepth = 32;

    // A duplicate key is refused everywhere, as in labels and annotations (StringMapConverter): which one would win is
    // the sender's guess, and two readers of the same body must not see two different webhooks.
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses <paramref name="body"/>; <paramref name="receivedAt"/> and <paramref name="clockSkew"/> decide the status of
    /// pushed alerts, which carry none (<see cref="PushedAlerts.StatusOf"/>).
    /// </summary>
    public static AlertWebhookParseResult Parse(ReadOnlySpan<byte> body, DateTimeOffset receivedAt, TimeSpan clockSkew)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return AlertWebhookParseResult.Invalid($"The body is not valid UTF-8 (at byte {InvalidUtf8Offset(body) + 1}).");
        }

        var pushed = IsArray(body);
        AlertmanagerWebhook? webhook;
        try
        {
            webhook = pushed
                ? PushedAlerts.Envelope(JsonSerializer.Deserialize<List<Alert?>>(body, Options)!, receivedAt, clockSkew)
                : JsonSerializer.Deserialize<AlertmanagerWebhook>(body, Options);
        }
        catch (JsonException ex)
        {
            var what = pushed ? "an array of alerts (Alertmanager API v2)" : "an Alertmanager webhook";
            return AlertWebhookParseResult.Invalid(
                $"The body is not {what}: {What(ex)} (at {Excerpt.Of(ex.Path ?? "$")}, line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        if (webhook is null)
        {
            return AlertWebhookParseResult.Invalid("The body is JSON null; expected an Alertmanager webhook object or an array of alerts.");
        }

        if (webhook.Alerts is null)
        {
            return AlertWebhookParseResult.Invalid("The webhook has no 'alerts' array.");
        }

        if (webhook.Alerts.Any(a => a is null))
        {
            return AlertWebhookParseResult.Invalid("Every entry of 'alerts' must be an object.");
        }

        return AlertWebhookParseResult.Valid(webhook);
    }

    // The first significant byte tells the formats apart; anything else is left to the webhook reader to refuse.
    private static bool IsArray(ReadOnlySpan<byte> body)
    {
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'[';
    }

    private static int InvalidUtf8Offset(ReadOnlySpan<byte> body)
    {
        try
        {
            StrictUtf8.GetCharCount(body);
            return 0;
        }
        catch (DecoderFallbackException ex)
        {
            return ex.Index;
        }
    }

    // The serializer's own messages quote type names or input characters; ours (StringMapConverter) are already safe.
    private static string What(JsonException ex) =>
        ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) ? "a value has the wrong type"
        : ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "a key appears twice in one object"
        : ex.Message.Contains("maximum configured depth", StringComparison.Ordinal) ? $"nested deeper than {MaxDepth} levels"
        : ex.InnerException is not null || ex.Message.Contains("Path:", StringComparison.Ordinal) ? "malformed JSON"
        : ex.Message;
}

/// <summary>A parsed webhook, or why the body is not one.</summary>
public sealed record AlertWebhookParseResult(AlertmanagerWebhook? Webhook, string? Error)
{
    public static AlertWebhookParseResult Valid(AlertmanagerWebhook webhook) => new(webhook, null);

    public static AlertWebhookParseResult Invalid(string error) => new(null, error);
}
