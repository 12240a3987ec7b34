extern alias FunctionsApp;
using FunctionsApp::ScaleFunctions.App.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>
/// The app's meter provider as the Functions app builds it, with an in-memory exporter beside the Azure Monitor one:
/// its resource names the app (the cloud role Application Insights files customMetrics under), not
/// <c>unknown_service:dotnet</c>.
/// </summary>
public sealed class MetricsResourceTest
{
    private static (IHost Host, List<Metric> Exported) Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddScaleFunctions(builder.Configuration);
        builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
        var exported = new List<Metric>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));
        return (builder.Build(), exported);
    }

    private static IReadOnlyDictionary<string, object> Export(IHost host, List<Metric> exported)
    {
        var provider = host.Services.GetRequiredService<MeterProvider>();
        host.Services.GetRequiredService<DecisionLog>().Record(new Decision(
            "executor", "kafka/kafka", "upScale", ["fp1"], DecisionOutcome.Acted, "broker 3 added")
        { LatencySeconds = 2.5 });
        Assert.True(provider.ForceFlush());
        Assert.Contains(exported, m => m.Name == "scalefunctions.decisions");
        Assert.Contains(exported, m => m.Name == "scalefunctions.alert_to_action");
        return provider.GetResource().Attributes.ToDictionary(a => a.Key, a => a.Value);
    }

    [Fact]
    public void In_Azure_the_metrics_resource_is_the_function_apps_name()
    {
        var (host, exported) = Build(new() { ["WEBSITE_SITE_NAME"] = "func-scalefn-abc123" });
        using (host)
        {
            var resource = Export(host, exported);

            Assert.Equal("func-scalefn-abc123", resource["service.name"]);
            Assert.Equal(Environment.MachineName, resource["service.instance.id"]);
        }
    }

    [Fact]
    public void An_explicit_cloud_role_name_wins_as_it_does_for_the_hosts_telemetry()
    {
        var (host, exported) = Build(new() { ["WEBSITE_SITE_NAME"] = "func-scalefn-abc123", ["WEBSITE_CLOUD_ROLENAME"] = "scalefunctions-prod" });
        using (host)
        {
            Assert.Equal("scalefunctions-prod", Export(host, exported)["service.name"]);
        }
    }

    [Fact]
    public void Locally_the_metrics_resource_has_a_stable_name_not_unknown_service()
    {
        var (host, exported) = Build(new() { ["WEBSITE_SITE_NAME"] = "", ["WEBSITE_CLOUD_ROLENAME"] = " " });
        using (host)
        {
            var resource = Export(host, exported);

            Assert.Equal(TelemetryServiceCollectionExtensions.LocalRoleName, resource["service.name"]);
            Assert.DoesNotContain(resource.Values, v => v is string s && s.StartsWith("unknown_service", StringComparison.Ordinal));
        }
    }
}
