using k8s;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>The API server behind the app's <see cref="IKubernetes"/> client, for the Cruise Control service proxy.</summary>
public static class KubernetesApiServer
{
    public static k8s.Kubernetes Client(IKubernetes kubernetes) => kubernetes as k8s.Kubernetes ?? throw new InvalidOperationException(
        $"The Cruise Control service proxy needs the KubernetesClient '{nameof(k8s.Kubernetes)}' client; the registered IKubernetes is {kubernetes.GetType().Name}.");

    public static Uri BaseUri(IKubernetes kubernetes) => Client(kubernetes).BaseUri;
}
