using System.Text.Json.Serialization;

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
