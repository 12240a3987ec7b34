using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>Hands out the Cruise Control client of a managed cluster, on the resilient HttpClient for its kind of endpoint.</summary>
public sealed class CruiseControlClients(IHttpClientFactory httpClients, IServiceProvider services, TimeProvider time, ILogger<CruiseControlClient> logger)
{
    /// <summary>Name of a cluster's health check (and of its resilience pipeline): <c>cruisecontrol:&lt;ns&gt;/&lt;name&gt;</c>.</summary>
    public static string NameFor(string @namespace, string name) => $"cruisecontrol:{@namespace}/{name}";

    public CruiseControlClient For(ManagedClusterOptions cluster)
    {
        var endpoint = CruiseControlEndpoint.For(cluster, () => KubernetesApiServer.BaseUri(services.GetRequiredService<IKubernetes>()));
        var http = httpClients.CreateClient(endpoint.ViaServiceProxy ? CruiseControlHttp.ServiceProxyClient : CruiseControlHttp.DirectClient);
        return new CruiseControlClient(http, endpoint, cluster.Ref.ToString(), cluster.CruiseControl, time, logger);
    }
}
