using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.CruiseControl;

/// <summary>Hands out the Cruise Control client of a managed cluster, on that cluster's named, resilient HttpClient.</summary>
public sealed class CruiseControlClients(IHttpClientFactory httpClients, IServiceProvider services, TimeProvider time, ILogger<CruiseControlClient> logger)
{
    /// <summary>Name of a cluster's HttpClient (and of its health check): <c>cruisecontrol:&lt;ns&gt;/&lt;name&gt;</c>.</summary>
    public static string NameFor(string @namespace, string name) => $"cruisecontrol:{@namespace}/{name}";

    public CruiseControlClient For(ManagedClusterOptions cluster)
    {
        var endpoint = CruiseControlEndpoint.For(cluster, () => KubernetesApiServer.BaseUri(services.GetRequiredService<IKubernetes>()));
        return new CruiseControlClient(httpClients.CreateClient(NameFor(cluster.Namespace, cluster.Name)), endpoint, cluster.CruiseControl, time, logger);
    }
}
