using System.Net;
using System.Text.Json;
using k8s;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Reaches Cruise Control through the API server's service proxy: sends a copy of each request (an HttpClient refuses
/// a request another one sent) through the Kubernetes client's own HttpClient and credentials. The API server's 403 is
/// thrown as <see cref="KubernetesForbiddenException"/> naming the missing permission: permanent, never retried.
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
