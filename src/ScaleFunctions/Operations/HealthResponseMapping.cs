using Microsoft.AspNetCore.Http;

namespace ScaleFunctions.Operations;

/// <summary>Answers <c>GET /api/health</c> from the domain's <see cref="WebhookHealth"/>.</summary>
public static class HealthResponseMapping
{
    public static IResult ToResult(this WebhookHealth health) =>
        Results.Content(health.JsonBody, "application/json", statusCode: health.StatusCode);
}
