using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Operations;

/// <summary>
/// Log categories that would write credentials at Information level, raised to Warning for every logger provider.
/// ASP.NET Core's request-start line contains the query string, where Alertmanager puts the function key
/// (<c>?code=</c>); the Functions worker forwards requests to its own Kestrel with that query string.
/// </summary>
public static class LogFilters
{
    public static IReadOnlyList<string> CredentialBearingCategories { get; } =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.Server.Kestrel",
    ];

    public static ILoggingBuilder KeepSecretsOut(ILoggingBuilder logging)
    {
        foreach (var category in CredentialBearingCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }

        return logging;
    }
}
