using Microsoft.Extensions.Options;

namespace ScaleFunctions.Kubernetes;

/// <summary>Kubernetes access, bound from <c>Kubernetes__*</c> and validated at start-up. One API server serves every managed cluster.</summary>
public sealed class KubernetesOptions
{
    /// <summary>The scope of the AKS Microsoft Entra server application, the same for every AKS cluster.</summary>
    public const string AksScope = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

    /// <summary>A keyed <c>TokenCredential</c> registered under this key replaces the one AksEntraId mode would build.</summary>
    public const string CredentialServiceKey = "kubernetes";

    public KubernetesAccessMode Mode { get; set; } = KubernetesAccessMode.KubeConfig;

    /// <summary>KubeConfig mode: the file (default <c>~/.kube/config</c>, or <c>$KUBECONFIG</c>).</summary>
    public string? KubeConfigPath { get; set; }

    /// <summary>KubeConfig mode: the context (default: the file's current context).</summary>
    public string? Context { get; set; }

    /// <summary>AksEntraId mode: the API server URL, for example <c>https://myaks-dns-1234.hcp.westeurope.azmk8s.io:443</c>.</summary>
    public string? Server { get; set; }

    /// <summary>AksEntraId mode: the cluster CA certificate, base64 (PEM or DER), as in a kubeconfig's <c>certificate-authority-data</c>.</summary>
    public string? CertificateAuthorityData { get; set; }

    /// <summary>AksEntraId mode: a user-assigned managed identity's client id; empty uses DefaultAzureCredential.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>AksEntraId mode: take a new token this long before the current one expires.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Timeout of one API request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Start-up validation: each mode has what it needs.</summary>
public sealed class KubernetesOptionsValidator : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add("Kubernetes:Mode must be KubeConfig, InCluster or AksEntraId.");
        }

        if (options.Mode == KubernetesAccessMode.AksEntraId)
        {
            if (!Uri.TryCreate(options.Server, UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            {
                failures.Add("Kubernetes:Server must be the API server's absolute URL in AksEntraId mode.");
            }

            if (!string.IsNullOrEmpty(options.CertificateAuthorityData) && !IsBase64(options.CertificateAuthorityData))
            {
                failures.Add("Kubernetes:CertificateAuthorityData must be base64.");
            }
        }

        if (options.Mode == KubernetesAccessMode.KubeConfig && !string.IsNullOrEmpty(options.KubeConfigPath) && !File.Exists(options.KubeConfigPath))
        {
            failures.Add($"Kubernetes:KubeConfigPath '{options.KubeConfigPath}' does not exist.");
        }

        if (options.TokenRefreshMargin < TimeSpan.Zero || options.TokenRefreshMargin > TimeSpan.FromMinutes(30))
        {
            failures.Add("Kubernetes:TokenRefreshMargin must be between 0 and 30 minutes.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Kubernetes:RequestTimeout must be between 0 and 5 minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsBase64(string value) => Convert.TryFromBase64String(value, new byte[value.Length], out _);
}

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
