using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace ScaleFunctions.Kubernetes;

/// <summary>Reads the API server's answer out of KubernetesClient's exceptions: status code and the Status object's reason/message.</summary>
public static class KubernetesErrors
{
    public static HttpStatusCode? StatusCode(this Exception exception) =>
        exception is HttpOperationException { Response: { } response } ? response.StatusCode : null;

    /// <summary>409 Conflict, or a write that lost a race the server answered otherwise (<see cref="KubernetesConflictException"/>).</summary>
    public static bool IsConflict(this Exception exception) =>
        exception is KubernetesConflictException || exception.StatusCode() == HttpStatusCode.Conflict;

    /// <summary>Answers that retrying cannot fix: 400, 403, 404, 422 (the reason says which).</summary>
    public static bool IsPermanent(this Exception exception) => exception.StatusCode() is
        HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity;

    /// <summary>
    /// The API server's 403 somewhere in <paramref name="exception"/> (itself or an inner exception): from
    /// KubernetesClient's typed API or from the service proxy; null when the failure is not a refusal.
    /// </summary>
    public static KubernetesForbiddenException? Forbidden(this Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case KubernetesForbiddenException forbidden:
                    return forbidden;
                case HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } http:
                    var permission = http.Request is { RequestUri: { } uri, Method: { } method } ? KubernetesPermission.Of(method, uri) : null;
                    return new KubernetesForbiddenException(permission, http.ApiMessage());
            }
        }

        return null;
    }

    /// <summary>
    /// A refusal's reason: which permission is missing (verb, resource/subresource, name, namespace), what needed it,
    /// and the API server's own words.
    /// </summary>
    public static string ForbiddenReason(this KubernetesForbiddenException forbidden, string neededFor) =>
        $"the API server refused {forbidden.Permission?.ToString() ?? "a request"} (needed {neededFor}); grant it in the Role "
        + $"(deploy/kubernetes/rbac.yaml): {forbidden.ApiMessage}";

    /// <summary>The Status message of an API error (the server's own words), or the exception's message.</summary>
    public static string ApiMessage(this Exception exception)
    {
        if (exception is HttpOperationException { Response.Content: { Length: > 0 } content })
        {
            try
            {
                using var document = JsonDocument.Parse(content);
                if (document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString()!;
                }
            }
            catch (JsonException)
            {
                // not a Status object: fall through
            }
        }

        return exception.Message;
    }
}

/// <summary>
/// A lost race the API server answered with 422, not 409 (a path of the patch was gone from the changed object), told
/// apart by the resourceVersion having moved: a conflict to read again and decide again, not a refusal
/// (<see cref="KubernetesErrors.IsConflict"/>; docs/executor.md#the-write).
/// </summary>
public sealed class KubernetesConflictException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// The API server answered 403 to a request made outside KubernetesClient's typed API (the Cruise Control service
/// proxy): the permission the request needed and the API server's own message. Permanent: retrying cannot grant it.
/// </summary>
public sealed class KubernetesForbiddenException(KubernetesPermission? permission, string apiMessage)
    : Exception($"the API server answered 403 Forbidden to {permission?.ToString() ?? "a request"}: {apiMessage}")
{
    public KubernetesPermission? Permission { get; } = permission;

    public string ApiMessage { get; } = apiMessage;
}
