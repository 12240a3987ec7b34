extern alias FunctionsApp;
using System.Collections.Concurrent;
using System.Text;
using FunctionsApp::ScaleFunctions.App.Functions;
using FunctionsApp::ScaleFunctions.App.Telemetry;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>
/// What the worker's own telemetry wiring sends for a webhook that carries the function key as <c>?code=</c>: the
/// request as the host forwards it (to the worker's Kestrel, query string included) is served by an ASP.NET Core app
/// with the worker's telemetry and log levels, the alerts function enqueues on a real Azurite, and every telemetry item
/// the Application Insights SDK would send (traces, dependencies of the worker's storage calls, …) is captured and
/// serialized as it would go on the wire. The host's own dependency telemetry is switched off in host.json
/// (HostJsonTelemetryTest).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionKeyInTelemetryIntegrationTest(AzuriteFixture azurite)
{
    private const string FunctionKey = "function-key-in-the-url-5d1e9c";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_telemetry_item_of_the_worker_carries_the_function_key_of_a_code_request(bool everyCategoryAtTrace)
    {
        var sent = new ConcurrentQueue<ITelemetry>();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddWorkerLogLevels();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=http://127.0.0.1:9/",
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ScaleCommandQueue"] = AzuriteFixture.NewQueueName(),
            ["Intake:ResolutionsTable"] = AzuriteFixture.NewTableName(),
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
            [FunctionSwitches.DisabledSetting(FunctionSwitches.ScaleCommands)] = "true", // intake only: no Kubernetes here
            [FunctionSwitches.DisabledSetting(FunctionSwitches.RebalanceCheck)] = "true",
            ["Logging:LogLevel:Default"] = everyCategoryAtTrace ? "Trace" : null,
            ["Logging:LogLevel:ScaleFunctions"] = everyCategoryAtTrace ? "Trace" : null,
            ["Logging:LogLevel:Microsoft.AspNetCore"] = everyCategoryAtTrace ? "Trace" : null,
            ["Logging:LogLevel:Microsoft.Azure.Functions.Worker"] = everyCategoryAtTrace ? "Trace" : null,
            ["Logging:LogLevel:Azure.Core"] = everyCategoryAtTrace ? "Trace" : null,
        });
        builder.Services.AddScaleFunctions(builder.Configuration);
        builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
        builder.Services.Configure<TelemetryConfiguration>(c => c.TelemetryChannel = new CapturingChannel(sent));
        await using var app = builder.Build();
        app.MapPost("/api/alerts", (HttpRequest request, AlertWebhookHandler handler, CancellationToken ct) =>
            new AlertWebhookFunction(handler).Run(request, ct));
        await app.StartAsync();

        var status = await PostFromAnotherProcessAsync(new Uri(app.Urls.Single()), $"/api/alerts?code={FunctionKey}", Webhooks.Firing(Webhooks.Alert("BrokerOverLoaded")));
        await app.StopAsync();

        Assert.Equal("HTTP/1.1 202 Accepted", status);
        var items = sent.ToArray();
        Assert.Contains(items, i => i is TraceTelemetry t && t.Properties.TryGetValue("EventId", out var id) && id == "1000");
        Assert.Contains(items, i => i is DependencyTelemetry);   // the worker's own storage calls are recorded
        var wire = Encoding.UTF8.GetString(Microsoft.ApplicationInsights.Extensibility.Implementation.JsonSerializer.Serialize(items, compress: false));
        Assert.DoesNotContain(FunctionKey, wire, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", wire, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Sends the request over a plain socket, as the host's proxy does from its own process: an HttpClient call from
    /// this process would itself be recorded by the worker's dependency collector (URL, query and key included), which
    /// is exactly the host-side leak host.json's <c>enableDependencyTracking: false</c> closes, not the worker's.
    /// </summary>
    private static async Task<string> PostFromAnotherProcessAsync(Uri server, string pathAndQuery, string json)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var stream = tcp.GetStream();
        var body = Encoding.UTF8.GetBytes(json);
        var head = $"POST {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n" +
                   $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var statusLine = await reader.ReadLineAsync() ?? "";
        await reader.ReadToEndAsync();   // the server closes the connection once the response is written
        return statusLine;
    }
}
