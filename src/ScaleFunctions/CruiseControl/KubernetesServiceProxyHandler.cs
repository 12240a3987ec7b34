using k8s;

namespace ScaleFunctions.CruiseControl;

/// <summary>
/// The last handler of the HTTP pipeline for clusters whose Cruise Control is reached through the API server's service
/// proxy: it signs the request with the app's Kubernetes credentials (token, refreshed token provider or client
/// certificate) and sends it through the Kubernetes client's own <see cref="HttpClient"/> (its TLS settings and CA).
/// Resilience handlers sit in front of it as for any other client.
/// </summary>
public sealed class KubernetesServiceProxyHandler(IKubernetes kubernetes) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var client = KubernetesApiServer.Client(kubernetes);
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        return await client.HttpClient.SendAsync(request, cancellationToken);
    }
}
