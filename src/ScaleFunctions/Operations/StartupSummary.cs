using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Operations;

/// <summary>
/// Logs once, at start, what this instance is wired to: the kind of storage credential, the command queue, the managed
/// clusters and how telemetry authenticates. It names kinds and endpoints, never a value that could be a secret
/// (connection strings, keys, tokens).
/// </summary>
public sealed class StartupSummary(IConfiguration configuration, IOptions<CommandQueueOptions> queue, ManagedClusters clusters, ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation(
            "ScaleFunctions starting: storage {StorageCredential}, command queue {Queue}, {ClusterCount} managed cluster(s) {Clusters}, Application Insights {Telemetry}",
            StorageCredential(configuration),
            queue.Value.Name,
            clusters.All.Count,
            string.Join(",", clusters.All.Select(c => c.Ref.ToString())),
            Telemetry(configuration));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static string StorageCredential(IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageAccount.SettingName);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return section.Value.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
                ? "development storage (Azurite)"
                : "connection string";
        }

        var credential = section["credential"] is { Length: > 0 } c ? c : "DefaultAzureCredential";
        return $"identity-based ({credential}) at {HostOnly(section["queueServiceUri"]) ?? section["accountName"] ?? "(not set)"}";
    }

    // Only scheme and host: a URI pasted from the portal can carry a SAS token in its query.
    private static string? HostOnly(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? parsed.GetLeftPart(UriPartial.Authority) : null;

    internal static string Telemetry(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            return "off";
        }

        var authentication = configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] ?? "";
        return authentication.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase)
            ? "on (Microsoft Entra ID)"
            : "on (instrumentation key)";
    }
}
