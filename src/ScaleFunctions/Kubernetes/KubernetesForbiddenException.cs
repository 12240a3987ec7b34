namespace ScaleFunctions.Kubernetes;

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
