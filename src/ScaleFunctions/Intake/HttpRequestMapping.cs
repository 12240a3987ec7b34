using Microsoft.AspNetCore.Http;

namespace ScaleFunctions.Intake;

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
