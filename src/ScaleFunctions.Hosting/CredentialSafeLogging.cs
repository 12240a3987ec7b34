using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Hosting;

/// <summary>
/// Keeps credentials out of the logs of every host. ASP.NET Core's request logging writes the full URL, query string
/// included, so a function key sent as <c>?code=</c> would be logged; that category is raised to Warning.
/// The app itself never logs a header, a query string or a body.
/// </summary>
public static class CredentialSafeLogging
{
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static ILoggingBuilder AddCredentialSafeLogging(this ILoggingBuilder logging) =>
        logging.AddFilter(RequestLogCategory, level => level >= LogLevel.Warning);
}
