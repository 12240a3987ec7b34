using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.ApplicationInsights;
using OpenTelemetry.Resources;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.App.Telemetry;

/// <summary>
/// Application Insights for the worker: logs as traces (the decision log's properties as customDimensions) and the
/// <c>ScaleFunctions</c> meter as customMetrics, both with Microsoft Entra ID when
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> asks for it (local auth is disabled in Azure); docs/deploy.md#telemetry.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string SiteNameSetting = "WEBSITE_SITE_NAME";
    public const string CloudRoleNameSetting = "WEBSITE_CLOUD_ROLENAME";
    public const string LocalRoleName = "scalefunctions-local";

    public static IServiceCollection AddScaleFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The worker package reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING itself and sets the token credential.
        // No adaptive sampling: every decision is one trace, and the workbook and a search by command key rely on all of them.
        services.AddApplicationInsightsTelemetryWorkerService(options => options.EnableAdaptiveSampling = false);
        services.ConfigureFunctionsApplicationInsights();

        // The Application Insights SDK adds a rule that keeps only Warning and above for its provider; decisions are
        // logged at Information, so that rule goes. Category levels from configuration still apply.
        services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r =>
                r.ProviderName == typeof(ApplicationInsightsLoggerProvider).FullName && r.CategoryName is null);
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });

        // The meter's resource names the app, so that scalefunctions.* metrics sit under the same cloud role as its
        // traces and requests rather than under "unknown_service:dotnet".
        var metrics = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(RoleName(configuration), serviceInstanceId: Environment.MachineName))
            .WithMetrics(meters => meters.AddMeter(ScaleFunctionsMetrics.MeterName));
        var connectionString = configuration[ConnectionStringSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var credential = EntraCredential(configuration[AuthenticationStringSetting]);
            metrics.WithMetrics(meters => meters.AddAzureMonitorMetricExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                exporter.Credential = credential;
            }));
        }

        return services;
    }

    /// <summary>
    /// The app's role name, chosen as the Functions host chooses the cloud role of its requests and traces:
    /// <c>WEBSITE_CLOUD_ROLENAME</c> if set, else the Function App's name (<c>WEBSITE_SITE_NAME</c>); locally, where
    /// neither is set, <see cref="LocalRoleName"/>.
    /// </summary>
    public static string RoleName(IConfiguration configuration) =>
        new[] { configuration[CloudRoleNameSetting], configuration[SiteNameSetting] }
            .FirstOrDefault(name => !string.IsNullOrWhiteSpace(name))?.Trim() ?? LocalRoleName;

    /// <summary>
    /// The credential named by an authentication string <c>Authorization=AAD[;ClientId=&lt;guid&gt;]</c>: the
    /// user-assigned managed identity with that client id, else the system-assigned one; null without <c>AAD</c>.
    /// </summary>
    public static TokenCredential? EntraCredential(string? authenticationString)
    {
        var parts = (authenticationString ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) ||
            !string.Equals(authorization, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
