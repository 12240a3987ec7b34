namespace ScaleFunctions.Kubernetes;

/// <summary>How the app reaches the Kubernetes API server (<c>Kubernetes__Mode</c>).</summary>
public enum KubernetesAccessMode
{
    /// <summary>A kubeconfig file (local development): <c>Kubernetes__KubeConfigPath</c>, <c>Kubernetes__Context</c>.</summary>
    KubeConfig,

    /// <summary>The pod's service account (the app runs inside the cluster).</summary>
    InCluster,

    /// <summary>AKS with Microsoft Entra ID: a token for the AKS server application from a managed identity or DefaultAzureCredential.</summary>
    AksEntraId,
}
