using Microsoft.AspNetCore.Http;

namespace ScaleFunctions.Intake;

/// <summary>An incoming webhook POST, as every host hands it to the domain (no ASP.NET or Functions types).</summary>
public sealed record WebhookRequest(
    string? ContentType,
    long? ContentLength,
    Func<string, string?> Header,
    Func<string, string?> Query,
    Stream Body)
{
    /// <summary>
    /// True where nothing in front of the app checked a credential (the Functions host's anonymous push route): then
    /// an app-level credential must be configured, or the request is refused with 403 before anything is read.
    /// </summary>
    public bool RequiresAppCredential { get; init; }
}

/// <summary>What a host sends back: a status code, a JSON body (always JSON, also for errors) and extra headers.</summary>
public sealed record WebhookResponse(int StatusCode, string JsonBody)
{
    /// <summary>Response headers beyond Content-Type, for example <c>WWW-Authenticate</c> on a 401.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>Maps ASP.NET Core requests onto the domain's <see cref="WebhookRequest"/> and answers back.</summary>
public static class HttpRequestMapping
{
    public static WebhookRequest ToWebhookRequest(this HttpRequest request) => new(
        request.ContentType,
        request.ContentLength,
        name => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null,
        name => request.Query.TryGetValue(name, out var values) ? values.ToString() : null,
        request.Body);

    public static IResult ToResult(this WebhookResponse response) => new WebhookResult(response);

    private sealed class WebhookResult(WebhookResponse response) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            foreach (var group in response.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                httpContext.Response.Headers.Append(group.Key, group.Select(h => h.Value).ToArray());
            }

            return Results.Content(response.JsonBody, "application/json", statusCode: response.StatusCode).ExecuteAsync(httpContext);
        }
    }
}
