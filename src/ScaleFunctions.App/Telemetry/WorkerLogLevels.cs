using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ScaleFunctions.App.Telemetry;

/// <summary>
/// The worker's log levels, as the lowest-priority configuration (any <c>Logging__LogLevel__*</c> app setting wins).
/// The isolated worker filters its own logs apart from host.json; these keep the app's <c>ScaleFunctions.*</c> logs and
/// everyone's warnings, not ASP.NET Core's two lines per request (docs/deploy.md#telemetry, "Log levels").
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
