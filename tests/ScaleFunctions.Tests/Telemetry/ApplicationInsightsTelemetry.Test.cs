extern alias FunctionsApp;
using System.Collections.Concurrent;
using Azure.Identity;
using FunctionsApp::ScaleFunctions.App.Telemetry;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>The Functions app's telemetry wiring, with Application Insights' channel replaced by a capture.</summary>
public sealed class ApplicationInsightsTelemetryTest
{
    private static IHost Build(ConcurrentQueue<ITelemetry> sent)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:9/";
        builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        builder.Services.AddScaleFunctions(builder.Configuration);
        builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
        builder.Services.Configure<TelemetryConfiguration>(c => c.TelemetryChannel = new CapturingChannel(sent));
        return builder.Build();
    }

    [Fact]
    public void A_decision_reaches_Application_Insights_as_one_trace_with_its_properties_as_custom_dimensions()
    {
        var sent = new ConcurrentQueue<ITelemetry>();
        using var host = Build(sent);

        host.Services.GetRequiredService<DecisionLog>().Record(new Decision(
            "executor", "kafka/kafka", "upScale", ["fp1", "fp2"], DecisionOutcome.Acted, "broker 3 added")
        { CommandKey = "key-1" });

        var trace = Assert.Single(sent.OfType<TraceTelemetry>(), t => t.Properties.TryGetValue("EventId", out var id) && id == "1000");
        Assert.Equal(SeverityLevel.Information, trace.SeverityLevel);
        Assert.Equal("Decision", trace.Properties["EventName"]);
        Assert.Equal("executor", trace.Properties["Stage"]);
        Assert.Equal("Acted", trace.Properties["Outcome"]);
        Assert.Equal("kafka/kafka", trace.Properties["Cluster"]);
        Assert.Equal("upScale", trace.Properties["Command"]);
        Assert.Equal("fp1,fp2", trace.Properties["Fingerprints"]);
        Assert.Equal("key-1", trace.Properties["CommandKey"]);
        Assert.Equal("broker 3 added", trace.Properties["Reason"]);
    }

    [Fact]
    public void The_request_start_line_that_carries_the_function_key_is_not_sent()
    {
        var sent = new ConcurrentQueue<ITelemetry>();
        using var host = Build(sent);
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").LogInformation("Request starting GET {Path}", "/api/health?code=function-key");
        loggers.CreateLogger("ScaleFunctions.Intake").LogInformation("Webhook accepted");

        Assert.Contains(sent.OfType<TraceTelemetry>(), t => t.Message == "Webhook accepted");
        Assert.DoesNotContain(sent.OfType<TraceTelemetry>(), t => t.Message.Contains("function-key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555", true)]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD", true)]
    [InlineData("Authorization=AAD", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("Authorization=Key", false)]
    public void The_authentication_string_selects_a_managed_identity_credential(string? authenticationString, bool entra)
    {
        var credential = TelemetryServiceCollectionExtensions.EntraCredential(authenticationString);

        Assert.Equal(entra, credential is ManagedIdentityCredential);
    }
}
