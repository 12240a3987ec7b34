using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// The body Alertmanager POSTs to a <c>webhook_configs</c> receiver (<c>version: "4"</c>; older senders omit
/// <c>version</c>, <c>groupKey</c> and <c>truncatedAlerts</c>). Unknown fields are ignored; <c>null</c> maps are empty.
/// </summary>
public sealed record AlertmanagerWebhook
{
    public string? Version { get; init; }

    public string? GroupKey { get; init; }

    public int? TruncatedAlerts { get; init; }

    public string? Receiver { get; init; }

    /// <summary><c>firing</c> or <c>resolved</c>: the group's status. Each alert carries its own, which wins.</summary>
    public string? Status { get; init; }

    /// <summary>Null only when the field is missing or <c>null</c>, which makes the envelope invalid.</summary>
    public IReadOnlyList<Alert?>? Alerts { get; init; }

    [JsonConverter(typeof(StringMapConverter))]
    public IReadOnlyDictionary<string, string> GroupLabels { get; init; } = StringMapConverter.Empty;

    [JsonConverter(typeof(StringMapConverter))]
    public IReadOnlyDictionary<string, string> CommonLabels { get; init; } = StringMapConverter.Empty;

    [JsonConverter(typeof(StringMapConverter))]
    public IReadOnlyDictionary<string, string> CommonAnnotations { get; init; } = StringMapConverter.Empty;

    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; init; }

    /// <summary>Which format the body had: a webhook, or an array of alerts pushed the way Prometheus pushes them.</summary>
    [JsonIgnore]
    public AlertFormat Format { get; init; } = AlertFormat.Webhook;
}

/// <summary>
/// One alert of a webhook. Alertmanager always sends every field, but older or hand-written senders omit
/// <c>status</c>, <c>fingerprint</c> or <c>generatorURL</c>; missing maps are empty.
/// </summary>
public sealed record Alert
{
    /// <summary><c>firing</c> or <c>resolved</c>; when missing, the envelope's status applies.</summary>
    public string? Status { get; init; }

    [JsonConverter(typeof(StringMapConverter))]
    public IReadOnlyDictionary<string, string> Labels { get; init; } = StringMapConverter.Empty;

    [JsonConverter(typeof(StringMapConverter))]
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = StringMapConverter.Empty;

    public DateTimeOffset? StartsAt { get; init; }

    /// <summary><c>0001-01-01T00:00:00Z</c> while firing (Go's zero time).</summary>
    public DateTimeOffset? EndsAt { get; init; }

    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; init; }

    /// <summary>Alertmanager's hash of the label set; <c>""</c> or missing from some senders (see <see cref="AlertFingerprint"/>).</summary>
    public string? Fingerprint { get; init; }

    public string AlertName => Labels.TryGetValue("alertname", out var name) ? name : "";
}

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

/// <summary>The two bodies the intake takes; both are read into the same <see cref="AlertmanagerWebhook"/>.</summary>
public enum AlertFormat
{
    /// <summary>An Alertmanager <c>webhook_configs</c> notification: a JSON object with <c>alerts</c>.</summary>
    Webhook,

    /// <summary>What Prometheus posts to an Alertmanager (<c>POST /api/v2/alerts</c>): a JSON array of <c>postableAlert</c>s.</summary>
    Pushed,
}

/// <summary>
/// Alerts as Prometheus pushes them to an Alertmanager (API v2 <c>postableAlert</c>: <c>labels</c>, <c>annotations</c>,
/// <c>startsAt</c>, <c>endsAt</c>, <c>generatorURL</c>), made into the model a webhook gives: each alert gets the status
/// and the fingerprint Alertmanager would give it. A <c>status</c> or <c>fingerprint</c> in the body is not part of the
/// format and is overwritten, as Alertmanager ignores them: the fingerprint is always computed from the labels.
/// </summary>
public static class PushedAlerts
{
    /// <summary>
    /// <c>resolved</c> when <c>endsAt</c> is set and not later than <paramref name="receivedAt"/> plus
    /// <paramref name="clockSkew"/>, otherwise <c>firing</c>. Prometheus sends a firing alert with <c>endsAt</c> four
    /// times max(resend delay, evaluation interval) ahead (4 minutes by default) and a resolved one with <c>endsAt</c>
    /// at the evaluation that resolved it, so the allowance lets a resolution count as one even when the receiver's
    /// clock runs behind the sender's by up to <paramref name="clockSkew"/> (see docs/prometheus.md).
    /// </summary>
    public static string StatusOf(DateTimeOffset? endsAt, DateTimeOffset receivedAt, TimeSpan clockSkew) =>
        endsAt is { } end && end != default && end <= receivedAt + clockSkew ? "resolved" : "firing";

    public static AlertmanagerWebhook Envelope(IReadOnlyList<Alert?> alerts, DateTimeOffset receivedAt, TimeSpan clockSkew) => new()
    {
        Format = AlertFormat.Pushed,
        Alerts = [.. alerts.Select(a => a is null ? null : a with
        {
            Status = StatusOf(a.EndsAt, receivedAt, clockSkew),
            Fingerprint = AlertFingerprint.Of(a.Labels),
        })],
    };
}

/// <summary>
/// Reads a label or annotation map: a JSON object of strings. <c>null</c> (for the map or a value) reads as empty;
/// any other value type, or a key given twice, makes the document invalid.
/// </summary>
public sealed class StringMapConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public static IReadOnlyDictionary<string, string> Empty { get; } = FrozenDictionary<string, string>.Empty;

    public override bool HandleNull => true;

    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return Empty;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Labels and annotations must be JSON objects.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => "",
                _ => throw new JsonException($"The value of '{Excerpt.Of(key)}' must be a string."),
            };
            if (!map.TryAdd(key, value))
            {
                throw new JsonException($"The key '{Excerpt.Of(key)}' appears twice.");
            }
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in value)
        {
            writer.WriteString(key, item);
        }

        writer.WriteEndObject();
    }
}
