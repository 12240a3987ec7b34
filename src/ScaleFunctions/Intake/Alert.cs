using System.Text.Json.Serialization;

namespace ScaleFunctions.Intake;

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
