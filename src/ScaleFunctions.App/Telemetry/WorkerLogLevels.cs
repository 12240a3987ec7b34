using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ScaleFunctions.App.Telemetry;

/// <summary>
/// The worker's log levels, as the lowest-priority configuration (any <c>Logging__LogLevel__*</c> app setting wins).
/// The isolated worker filters its own logs, apart from host.json, both those it sends to Application Insights and
/// those it forwards to the host: left at Information, ASP.NET Core writes two lines per request
/// (<c>Microsoft.AspNetCore.Http.Result.ContentResult</c>: "Setting HTTP status code …", "Write content …") and the
/// worker and Azure SDK their chatter. What remains is the app's own <c>ScaleFunctions.*</c> logs (decisions, changes,
/// the start-up summary) and everyone's warnings and errors.
/// </summary>
public static class WorkerLogLevels
{
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:ScaleFunctions"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Azure.Functions.Worker"] = "Warning",
        ["Logging:LogLevel:Azure.Core"] = "Warning",
    };

    public static IConfigurationBuilder AddWorkerLogLevels(this IConfigurationBuilder configuration)
    {
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        return configuration;
    }
}
