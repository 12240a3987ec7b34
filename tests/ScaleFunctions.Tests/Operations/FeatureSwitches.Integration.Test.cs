using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Operations;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// What the app needs depends on which functions run (<c>AzureWebJobs.&lt;function&gt;.Disabled</c>): with the sample
/// settings (executor and timer off, no kubeconfig) it starts and is healthy, reporting Kubernetes and Cruise Control as
/// Disabled; with a function on that needs Kubernetes, a kubeconfig that cannot be used stops the start with a message
/// naming the setting — instead of failing the function's activation on every delivery.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FeatureSwitchesIntegrationTest(AzuriteFixture fixture) : IDisposable
{
    private readonly string emptyKubeConfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-empty-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(emptyKubeConfig);

    /// <summary>local.settings.sample.json's Values, as the host turns them into configuration, on the test's Azurite.</summary>
    private Dictionary<string, string?> SampleSettings()
    {
        var values = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("local.settings.sample.json"))).RootElement.GetProperty("Values");
        var settings = values.EnumerateObject().ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
        settings["AzureWebJobsStorage"] = fixture.ConnectionString;
        settings["ScaleCommandQueue"] = AzuriteFixture.NewQueueName();
        return settings;
    }

    private static IHost Host(Dictionary<string, string?> settings, LogRecorder? logs = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddScaleFunctions(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task With_the_sample_settings_health_is_200_and_kubernetes_and_cruise_control_are_disabled_without_a_failure_log()
    {
        var logs = new LogRecorder();
        using var host = Host(SampleSettings(), logs);
        await host.StartAsync();

        var health = await host.Services.GetRequiredService<HealthCheckReport>().CheckAsync(CancellationToken.None);
        await host.StopAsync();

        Assert.Equal(200, health.StatusCode);
        var checks = JsonDocument.Parse(health.JsonBody).RootElement.GetProperty("checks");
        foreach (var name in new[] { "kubernetes:kafka/kafka", "cruisecontrol:kafka/kafka" })
        {
            Assert.Equal(HealthCheckReport.DisabledStatus, checks.GetProperty(name).GetProperty("status").GetString());
            Assert.Contains("AzureWebJobs.scale-commands.Disabled", checks.GetProperty(name).GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task With_a_function_on_the_checks_still_run()
    {
        var settings = SampleSettings();
        settings["AzureWebJobs.rebalance-check.Disabled"] = "false";
        settings["Kubernetes:KubeConfigPath"] = null;
        using var host = Host(settings);

        // Not started: this test looks at the health checks only (no kubeconfig here, so the start would stop).
        var health = await host.Services.GetRequiredService<HealthCheckReport>().CheckAsync(CancellationToken.None);

        Assert.Equal(503, health.StatusCode);
        var checks = JsonDocument.Parse(health.JsonBody).RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("kubernetes:kafka/kafka").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("AzureWebJobs.scale-commands.Disabled", "scale-commands", "the rebalance check (rebalance-check)")]
    [InlineData("AzureWebJobs_rebalance-check_Disabled", "rebalance-check", "the executor (scale-commands)")]
    public async Task An_enabled_function_with_an_unusable_kubeconfig_stops_the_start_naming_the_setting(string switchSetting, string disabled, string named)
    {
        await File.WriteAllTextAsync(emptyKubeConfig, "");
        var settings = SampleSettings();
        settings.Remove("AzureWebJobs.scale-commands.Disabled");
        settings.Remove("AzureWebJobs.rebalance-check.Disabled");
        settings[switchSetting] = "true";
        settings["Kubernetes:KubeConfigPath"] = emptyKubeConfig;
        using var host = Host(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"Kubernetes:KubeConfigPath '{emptyKubeConfig}' cannot be used", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kubernetes__KubeConfigPath", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"({disabled})", error.Message.Split(" need(s)")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sample_kubeconfig_setting_with_a_function_enabled_stops_the_start_instead_of_every_activation()
    {
        // The sample's empty Kubernetes__KubeConfigPath means the default kubeconfig; a context no kubeconfig has makes
        // it unusable on every machine (there is no ~/.kube/config here; on a developer's machine the context is missing).
        var settings = SampleSettings();
        settings.Remove("AzureWebJobs.scale-commands.Disabled");
        settings["Kubernetes:Context"] = $"no-such-context-{Guid.NewGuid():N}";
        using var host = Host(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.StartsWith("Kubernetes:KubeConfigPath is empty and the default kubeconfig ($HOME/.kube/config) cannot be used", error.Message, StringComparison.Ordinal);
        Assert.Contains("the executor (scale-commands)", error.Message, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobs.scale-commands.Disabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_both_functions_disabled_an_unusable_kubeconfig_does_not_stop_the_app()
    {
        await File.WriteAllTextAsync(emptyKubeConfig, "");
        var settings = SampleSettings();
        settings["Kubernetes:KubeConfigPath"] = emptyKubeConfig;
        using var host = Host(settings);

        await host.StartAsync();
        var health = await host.Services.GetRequiredService<HealthCheckReport>().CheckAsync(CancellationToken.None);
        await host.StopAsync();

        Assert.Equal(200, health.StatusCode);
    }
}
