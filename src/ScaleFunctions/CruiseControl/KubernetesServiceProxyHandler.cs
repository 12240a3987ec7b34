using k8s;

namespace ScaleFunctions.CruiseControl;

/// <summary>
/// The last handler of the HTTP pipeline for clusters whose Cruise Control is reached through the API server's service
/// proxy: it sends a copy of the request through the Kubernetes client's own <see cref="HttpClient"/> (its TLS
/// settings, CA and client certificate), signed with the app's Kubernetes credentials (token, refreshed token provider).
/// A copy, because an HttpClient refuses a request another one already sent. Resilience handlers sit in front of it as
/// for any other client.
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

        return await client.HttpClient.SendAsync(copy, cancellationToken);
    }
}
