using System.Net;
using System.Text.Json;
using k8s;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// The last handler of the HTTP pipeline for clusters whose Cruise Control is reached through the API server's service
/// proxy: it sends a copy of the request through the Kubernetes client's own <see cref="HttpClient"/> (its TLS
/// settings, CA and client certificate), signed with the app's Kubernetes credentials (token, refreshed token provider).
/// A copy, because an HttpClient refuses a request another one already sent. Resilience handlers sit in front of it as
/// for any other client. The API server's own 403 (a <c>Status</c> body, not Cruise Control's) is thrown as
/// <see cref="KubernetesForbiddenException"/> naming the permission the request needed: a missing RBAC rule is
/// permanent, never a retry.
/// </summary>
public sealed class KubernetesServiceProxyHandler(IKubernetes kubernetes) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var client = KubernetesApiServer.Client(kubernetes);
        using var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        if (request.Content is not null)
        {
            copy.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            foreach (var (name, values) in request.Content.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(copy, cancellationToken);
        }

        var response = await client.HttpClient.SendAsync(copy, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Forbidden && await ForbiddenStatusMessageAsync(response, cancellationToken) is { } message)
        {
            response.Dispose();
            throw new KubernetesForbiddenException(KubernetesPermission.Of(request.Method, request.RequestUri!), message);
        }

        return response;
    }

    /// <summary>The message of the API server's <c>Status</c> with reason Forbidden, or null when the 403 is not one.</summary>
    private static async Task<string?> ForbiddenStatusMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("kind", out var kind) && kind.ValueEquals("Status")
                && root.TryGetProperty("reason", out var reason) && reason.ValueEquals("Forbidden")
                    ? root.TryGetProperty("message", out var message) ? message.GetString() ?? "" : ""
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
