using System.Text;
using System.Text.Json.Nodes;
using ScaleFunctions.Intake;

namespace ScaleFunctions.Testing;

/// <summary>Builds Alertmanager webhook bodies for tests, shaped like Alertmanager's version-4 payload.</summary>
public static class Webhooks
{
    public static readonly DateTimeOffset StartsAt = DateTimeOffset.Parse("2025-01-15T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A firing alert for cluster kafka/kafka asking for <paramref name="command"/> (null: no command annotation).</summary>
    public static JsonObject Alert(
        string alertName,
        string? command = "upScale",
        string? fingerprint = null,
        DateTimeOffset? startsAt = null,
        string status = "firing",
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        var labelMap = new JsonObject { ["alertname"] = alertName, ["namespace"] = "kafka", ["kafka_cr"] = "kafka" };
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            labelMap[key] = value;
        }

        var annotationMap = new JsonObject { ["summary"] = alertName };
        if (command is not null)
        {
            annotationMap["command"] = command;
        }

        foreach (var (key, value) in annotations ?? new Dictionary<string, string>())
        {
            annotationMap[key] = value;
        }

        return new JsonObject
        {
            ["status"] = status,
            ["labels"] = labelMap,
            ["annotations"] = annotationMap,
            ["startsAt"] = (startsAt ?? StartsAt).ToString("O"),
            ["endsAt"] = status == "firing" ? "0001-01-01T00:00:00Z" : (startsAt ?? StartsAt).AddMinutes(30).ToString("O"),
            ["generatorURL"] = "http://prometheus:9090/graph",
            ["fingerprint"] = fingerprint ?? Fingerprint(alertName),
        };
    }

    /// <summary>A webhook envelope around the alerts.</summary>
    public static string Envelope(string status, params JsonObject[] alerts) => new JsonObject
    {
        ["receiver"] = "scalefunctions",
        ["status"] = status,
        ["alerts"] = new JsonArray([.. alerts.Select(a => a.DeepClone())]),
        ["groupLabels"] = new JsonObject { ["namespace"] = "kafka", ["kafka_cr"] = "kafka" },
        ["commonLabels"] = new JsonObject { ["namespace"] = "kafka", ["kafka_cr"] = "kafka" },
        ["commonAnnotations"] = new JsonObject(),
        ["externalURL"] = "http://alertmanager:9093",
        ["version"] = "4",
        ["groupKey"] = "{}:{kafka_cr=\"kafka\", namespace=\"kafka\"}",
        ["truncatedAlerts"] = 0,
    }.ToJsonString();

    public static string Firing(params JsonObject[] alerts) => Envelope("firing", alerts);

    /// <summary>
    /// The alerts as Prometheus pushes them to an Alertmanager (a JSON array of postableAlerts, no status or fingerprint):
    /// a firing alert ends 4 minutes after <paramref name="now"/>, as Prometheus' resends do, a resolved one a second before.
    /// </summary>
    public static string Pushed(DateTimeOffset now, params JsonObject[] alerts) => new JsonArray([.. alerts.Select(a =>
    {
        var pushed = (JsonObject)a.DeepClone();
        var firing = (string?)pushed["status"] != "resolved";
        pushed.Remove("status");
        pushed.Remove("fingerprint");
        pushed["endsAt"] = (firing ? now.AddMinutes(4) : now.AddSeconds(-1)).ToString("O");
        return (JsonNode)pushed;
    })]).ToJsonString();

    /// <summary>A stable, valid fingerprint for a test alert name.</summary>
    public static string Fingerprint(string alertName) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(alertName)))[..16];

    /// <summary>A webhook request as a host would hand it over.</summary>
    public static WebhookRequest Request(
        string body,
        string? contentType = "application/json",
        IReadOnlyDictionary<string, string>? headers = null,
        IReadOnlyDictionary<string, string>? query = null,
        long? contentLength = -1)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var headerMap = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        headerMap.TryAdd("x-functions-key", TestCredentials.FunctionKey);
        return new WebhookRequest(
            contentType,
            contentLength == -1 ? bytes.Length : contentLength,
            name => headerMap.GetValueOrDefault(name),
            name => query?.GetValueOrDefault(name),
            new MemoryStream(bytes));
    }
}
