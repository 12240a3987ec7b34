namespace ScaleFunctions.Configuration;

/// <summary>Kubernetes object-name rules (DNS-1123), shared by options validation and alert validation.</summary>
public static class KubernetesNames
{
    public const string DnsLabel = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    public const string DnsSubdomain = "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
}
