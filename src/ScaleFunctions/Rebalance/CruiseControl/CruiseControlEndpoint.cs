using ScaleFunctions.Configuration;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Where one cluster's Cruise Control REST API lives: the configured <see cref="CruiseControlOptions.Url"/>, or the
/// Kubernetes API server's service proxy
/// <c>{apiServer}/api/v1/namespaces/{ns}/services/{service}:{port}/proxy/{apiPath}/</c>.
/// </summary>
public sealed record CruiseControlEndpoint(Uri BaseUri, bool ViaServiceProxy)
{
    public static CruiseControlEndpoint For(ManagedClusterOptions cluster, Func<Uri> kubernetesApiServer)
    {
        var options = cluster.CruiseControl;
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException($"Cruise Control is not configured for cluster {cluster.Ref}.");
        }

        if (!options.UsesServiceProxy)
        {
            return new CruiseControlEndpoint(WithTrailingSlash(new Uri(options.Url!)), ViaServiceProxy: false);
        }

        var path = $"api/v1/namespaces/{cluster.Namespace}/services/{options.Service}:{options.Port}/proxy/{options.ApiPath.Trim('/')}/";
        return new CruiseControlEndpoint(new Uri(WithTrailingSlash(kubernetesApiServer()), path), ViaServiceProxy: true);
    }

    public Uri UriFor(string endpoint, CruiseControlQuery query) => new(BaseUri, $"{endpoint}?{query}");

    /// <summary>Where it is, for health data and logs (no credentials: URLs with user info are refused at start-up).</summary>
    public string Describe(ManagedClusterOptions cluster) => ViaServiceProxy
        ? $"service proxy {cluster.Namespace}/{cluster.CruiseControl.Service}:{cluster.CruiseControl.Port}"
        : BaseUri.GetLeftPart(UriPartial.Path);

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
}
