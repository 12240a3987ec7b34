using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using k8s;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Kubernetes;

/// <summary>Builds the KubernetesClient configuration for the configured access mode.</summary>
public static class KubernetesClientFactory
{
    public static KubernetesClientConfiguration Configuration(KubernetesOptions options, TimeProvider time, TokenCredential? credential = null, ILoggerFactory? loggers = null)
    {
        var configuration = options.Mode switch
        {
            KubernetesAccessMode.InCluster => KubernetesClientConfiguration.InClusterConfig(),
            KubernetesAccessMode.AksEntraId => AksEntraId(options, time, credential ?? Credential(options), loggers),
            _ => KubernetesClientConfiguration.BuildConfigFromConfigFile(
                string.IsNullOrEmpty(options.KubeConfigPath) ? null : options.KubeConfigPath,
                string.IsNullOrEmpty(options.Context) ? null : options.Context),
        };
        configuration.HttpClientTimeout = options.RequestTimeout;
        return configuration;
    }

    /// <summary>ManagedIdentityCredential when a client id is configured, else DefaultAzureCredential.</summary>
    public static TokenCredential Credential(KubernetesOptions options) =>
        string.IsNullOrEmpty(options.ManagedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ManagedIdentityClientId));

    private static KubernetesClientConfiguration AksEntraId(KubernetesOptions options, TimeProvider time, TokenCredential credential, ILoggerFactory? loggers)
    {
        var configuration = new KubernetesClientConfiguration
        {
            Host = options.Server,
            TokenProvider = new AksTokenProvider(credential, time, options.TokenRefreshMargin, loggers?.CreateLogger<AksTokenProvider>()),
        };
        if (!string.IsNullOrEmpty(options.CertificateAuthorityData))
        {
            configuration.SslCaCerts = CertificateAuthority(options.CertificateAuthorityData);
        }

        return configuration;
    }

    private static X509Certificate2Collection CertificateAuthority(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var certificates = new X509Certificate2Collection();
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            certificates.ImportFromPem(text);
        }
        else
        {
            certificates.Add(X509CertificateLoader.LoadCertificate(bytes));
        }

        return certificates;
    }
}
