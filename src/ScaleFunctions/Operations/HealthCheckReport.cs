using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ScaleFunctions.Operations;

/// <summary>
/// GET /api/health: every registered health check, 200 when none is unhealthy, else 503 (docs/deploy.md#health).
/// Exceptions are reduced to their type name: their messages can carry URLs, headers or connection strings; a check
/// of a feature switched off reports <see cref="Disabled"/>.
/// </summary>
public sealed class HealthCheckReport(HealthCheckService healthChecks)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>Status of a check whose feature is switched off, in the report's body.</summary>
    public const string DisabledStatus = "Disabled";

    private const string DisabledKey = "disabled";

    /// <summary>What a check returns when its feature is switched off: healthy, shown as <see cref="DisabledStatus"/>.</summary>
    public static HealthCheckResult Disabled(string description) =>
        HealthCheckResult.Healthy(description, new Dictionary<string, object> { [DisabledKey] = true });

    public async Task<WebhookHealth> CheckAsync(CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(cancellationToken);
        var body = new HealthBody(
            report.Status,
            Milliseconds(report.TotalDuration),
            report.Entries.ToDictionary(e => e.Key, e => new CheckBody(StatusOf(e.Value), Describe(e.Value), Milliseconds(e.Value.Duration)), StringComparer.Ordinal));
        var status = report.Status == HealthStatus.Unhealthy ? 503 : 200;
        return new WebhookHealth(status, JsonSerializer.Serialize(body, Json));
    }

    // A check that throws gets the exception's message as its description (HealthCheckService does that): dropped.
    private static string Describe(HealthReportEntry entry) => entry switch
    {
        { Exception: null } => entry.Description ?? entry.Status.ToString(),
        { Description: { } description } when description != entry.Exception.Message => description,
        { Exception: OperationCanceledException } => "The check did not finish in time.",
        _ => $"The check failed ({entry.Exception.GetType().Name}).",
    };

    private static string StatusOf(HealthReportEntry entry) =>
        entry.Data.TryGetValue(DisabledKey, out var disabled) && disabled is true ? DisabledStatus : entry.Status.ToString();

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);

    private sealed record HealthBody(HealthStatus Status, double TotalDurationMs, IReadOnlyDictionary<string, CheckBody> Checks);

    private sealed record CheckBody(string Status, string Description, double DurationMs);
}

/// <summary>The health answer: HTTP status (200 healthy, 503 not) and a JSON body.</summary>
public sealed record WebhookHealth(int StatusCode, string JsonBody)
{
    /// <summary>The answer to <c>GET /api/health</c>, for either host.</summary>
    public IResult ToResult() => Results.Content(JsonBody, "application/json", statusCode: StatusCode);
}
