extern alias FunctionsApp;
using System.Collections.Concurrent;
using FunctionsApp::ScaleFunctions.App.Telemetry;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>
/// The log levels the app ships, on both sides of the isolated model: host.json's for the Functions host, and the
/// worker's own defaults (<see cref="WorkerLogLevels"/>) for what the worker sends to Application Insights and to the
/// host. Decisions (ScaleFunctions.*, Information) stay; per-request and per-storage-call chatter goes; warnings stay.
/// </summary>
public sealed class ShippedLogLevelsTest
{
    /// <summary>Categories that wrote Information lines on every request or storage call on a real host.</summary>
    public static TheoryData<string> NoisyCategories() =>
    [
        "Azure.Core",                                       // every storage request of the queue listener and leases
        "Azure.Storage.Queues",
        "Microsoft.AspNetCore.Http.Result.ContentResult",   // "Setting HTTP status code 202", "Write content …"
        "Microsoft.AspNetCore.Routing.EndpointMiddleware",
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.Azure.Functions.Worker.FunctionsApplication",
    ];

    private static ILoggerFactory HostLoggers()
    {
        var hostJson = new ConfigurationBuilder().AddJsonFile(ReferenceFiles.InRepository("host.json")).Build();
        return LoggerFactory.Create(logging => logging.AddConfiguration(hostJson.GetSection("logging")).AddProvider(new EverythingProvider()));
    }

    [Theory]
    [MemberData(nameof(NoisyCategories))]
    public void Host_json_drops_the_noisy_categories_below_warning_and_keeps_their_warnings(string category)
    {
        using var loggers = HostLoggers();
        var logger = loggers.CreateLogger(category);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Theory]
    [InlineData("ScaleFunctions.Decisions.DecisionLog")]
    [InlineData("Function.alerts.User")]   // worker logs the host forwards, and its "Executing"/"Executed" lines
    [InlineData("Host.Results")]           // the requests table: the workbook's failed executions and their alert rule
    public void Host_json_keeps_decisions_and_the_request_telemetry_at_information(string category)
    {
        using var loggers = HostLoggers();

        Assert.True(loggers.CreateLogger(category).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Host_json_keeps_the_poison_queue_warning_the_alert_rule_watches()
    {
        using var loggers = HostLoggers();

        // "Message has reached MaxDequeueCount …" is a Warning of the queue extension's trigger category.
        Assert.True(loggers.CreateLogger("Host.Triggers.Queue").IsEnabled(LogLevel.Warning));
    }

    private static (IHost Host, ConcurrentQueue<ITelemetry> Sent) Worker(Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddWorkerLogLevels();
        builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:9/";
        builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddScaleFunctions(builder.Configuration);
        builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
        var sent = new ConcurrentQueue<ITelemetry>();
        builder.Services.Configure<TelemetryConfiguration>(c => c.TelemetryChannel = new CapturingChannel(sent));
        return (builder.Build(), sent);
    }

    [Theory]
    [MemberData(nameof(NoisyCategories))]
    public void The_worker_sends_no_information_of_the_noisy_categories_but_their_warnings(string category)
    {
        var (host, sent) = Worker();
        using (host)
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

            logger.LogInformation("chatter {N}", 1);
            logger.LogWarning("a real warning {N}", 2);
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ScaleFunctions.Decisions.DecisionLog").LogInformation("a decision");

            var messages = sent.OfType<TraceTelemetry>().Select(t => t.Message).ToList();
            Assert.Contains("a decision", messages);
            Assert.Contains("a real warning 2", messages);
            Assert.DoesNotContain("chatter 1", messages);
        }
    }

    [Fact]
    public void An_app_setting_overrides_the_workers_shipped_levels()
    {
        var (host, sent) = Worker(new() { ["Logging:LogLevel:Azure.Core"] = "Information" });
        using (host)
        {
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Azure.Core").LogInformation("asked for");

            Assert.Contains(sent.OfType<TraceTelemetry>(), t => t.Message == "asked for");
        }
    }

    /// <summary>A provider that would write everything: what the factory's filter rules let through is what is enabled.</summary>
    private sealed class EverythingProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new AllLevels();

        public void Dispose()
        {
        }

        private sealed class AllLevels : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
