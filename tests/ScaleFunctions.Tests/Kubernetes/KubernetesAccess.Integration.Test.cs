using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Kubernetes;

/// <summary>Kubernetes access as the app registers it (AddScaleFunctions), against the API double.</summary>
public sealed class KubernetesAccessIntegrationTest
{
    private static readonly DateTimeOffset Start = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AksEntraId_sends_the_credentials_bearer_token_and_a_fresh_one_before_expiry()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        var time = new FakeTimeProvider(Start);
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1));
        api.Authorize = token => token is "token-1" or "token-2";
        await using var services = Services(time, credential, new()
        {
            ["Kubernetes:Mode"] = "AksEntraId",
            ["Kubernetes:Server"] = api.BaseUri.ToString(),
        });
        var kubernetes = services.GetRequiredService<IKubernetes>();

        await Read(kubernetes);
        await Read(kubernetes);
        time.Advance(TimeSpan.FromMinutes(56));
        await Read(kubernetes);

        Assert.Equal(["token-1", "token-1", "token-2"], api.Requests.Select(r => r.BearerToken));
        Assert.Equal(2, credential.Calls);
    }

    [Fact]
    public async Task AksEntraId_trusts_the_configured_cluster_CA_over_TLS()
    {
        using var certificate = SelfSignedLoopbackCertificate();
        await using var api = new KubernetesApiDouble { ServerCertificate = certificate };
        api.SeedKafkaCluster();
        await api.StartAsync();
        var time = new FakeTimeProvider(Start);
        var pem = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()));
        await using var services = Services(time, new FakeTokenCredential(time, TimeSpan.FromHours(1)), new()
        {
            ["Kubernetes:Mode"] = "AksEntraId",
            ["Kubernetes:Server"] = api.BaseUri.ToString(),
            ["Kubernetes:CertificateAuthorityData"] = pem,
        });

        await Read(services.GetRequiredService<IKubernetes>());

        Assert.StartsWith("https://", api.BaseUri.ToString(), StringComparison.Ordinal);
        Assert.Equal("token-1", Assert.Single(api.Requests).BearerToken);
    }

    [Fact]
    public async Task KubeConfig_mode_reads_the_file_and_context()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        var path = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: double
              cluster: { server: "{{api.BaseUri.ToString().TrimEnd('/')}}" }
            users:
            - name: tester
              user: { token: kubeconfig-token }
            contexts:
            - name: other
              context: { cluster: double, user: tester }
            current-context: missing
            """);
        try
        {
            await using var services = Services(new FakeTimeProvider(Start), null, new()
            {
                ["Kubernetes:Mode"] = "KubeConfig",
                ["Kubernetes:KubeConfigPath"] = path,
                ["Kubernetes:Context"] = "other",
            });

            await Read(services.GetRequiredService<IKubernetes>());

            Assert.Equal("kubeconfig-token", Assert.Single(api.Requests).BearerToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Registers_one_health_check_per_managed_cluster_without_secrets_in_its_data()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        var time = new FakeTimeProvider(Start);
        await using var services = Services(time, new FakeTokenCredential(time, TimeSpan.FromHours(1)), new()
        {
            ["Kubernetes:Mode"] = "AksEntraId",
            ["Kubernetes:Server"] = api.BaseUri.ToString(),
        });
        var health = services.GetRequiredService<HealthCheckService>();

        var healthy = await health.CheckHealthAsync(r => r.Name.StartsWith("kubernetes:", StringComparison.Ordinal));
        api.Faults.Forbid("GET");
        var forbidden = await health.CheckHealthAsync(r => r.Name.StartsWith("kubernetes:", StringComparison.Ordinal));

        var entry = Assert.Single(healthy.Entries);
        Assert.Equal("kubernetes:kafka/kafka", entry.Key);
        Assert.Equal(HealthStatus.Healthy, entry.Value.Status);
        Assert.Equal("ClusterRunning", entry.Value.Data["state"]);
        Assert.DoesNotContain("token", JsonSerializer.Serialize(entry.Value.Data), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HealthStatus.Unhealthy, forbidden.Entries["kubernetes:kafka/kafka"].Status);
        Assert.Contains("HTTP 403", forbidden.Entries["kubernetes:kafka/kafka"].Description, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", forbidden.Entries["kubernetes:kafka/kafka"].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kubernetes:Mode", "AksEntraId", "Kubernetes:Server must be the API server's absolute URL in AksEntraId mode.")]
    [InlineData("Kubernetes:KubeConfigPath", "/nonexistent/kubeconfig", "Kubernetes:KubeConfigPath '/nonexistent/kubeconfig' does not exist.")]
    [InlineData("Executor:MaxDiskSize", "ten gigabytes", "Executor:MaxDiskSize 'ten gigabytes' is not a Kubernetes quantity (for example 2Ti).")]
    [InlineData("Executor:DeferralDelay", "-00:01:00", "Executor:DeferralDelay must be between 0 and 1 day.")]
    [InlineData("Executor:RecentKeyLimit", "0", "RecentKeyLimit")]
    public async Task Invalid_settings_fail_at_start(string setting, string value, string failure)
    {
        await using var services = Services(new FakeTimeProvider(Start), null, new() { [setting] = value });

        // What the host runs before it starts anything (ValidateOnStart), not a lazy first read of the options.
        var error = Assert.ThrowsAny<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(failure, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_delivers_one_command_at_a_time_and_polls_often()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "ScaleFunctions.sln")))
        {
            root = root.Parent!;
        }

        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(root.FullName, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        Assert.Equal(1, queues.GetProperty("batchSize").GetInt32());
        Assert.Equal(0, queues.GetProperty("newBatchThreshold").GetInt32());
        Assert.True(TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= TimeSpan.FromSeconds(2));
    }

    private static ServiceProvider Services(TimeProvider time, TokenCredential? credential, Dictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScaleFunctions(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton(time);
        if (credential is not null)
        {
            services.AddKeyedSingleton(KubernetesOptions.CredentialServiceKey, credential);
        }

        return services.BuildServiceProvider();
    }

    private static Task<object> Read(IKubernetes kubernetes) =>
        kubernetes.CustomObjects.GetNamespacedCustomObjectAsync(KoperatorFiles.Group, KoperatorFiles.Version, "kafka", KoperatorFiles.KafkaClusters, "kafka");

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubernetes-double", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
