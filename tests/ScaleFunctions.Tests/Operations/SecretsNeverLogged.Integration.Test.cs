using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// Runs the local host (same DI as the Functions app) with credentials in its configuration and in requests, captures
/// every log line at every level, and asserts no credential appears in a log line or a response.
/// After the features merge, extend <see cref="Requests"/> with webhook POSTs carrying each credential style.
/// </summary>
public sealed class SecretsNeverLoggedIntegrationTest
{
    // Base64, so the storage SDK accepts it as an account key.
    private const string AccountKey = "U2VjcmV0QWNjb3VudEtleS1uZXZlci1sb2dnZWQtMTIzNDU2Nzg5MA==";
    private const string FunctionKey = "function-key-never-logged-7f3a";
    private const string BearerToken = "bearer-token-never-logged-91c2";
    private const string BasicPassword = "basic-password-never-logged-44d0";
    private const string InstrumentationKey = "0badf00d-0000-4000-8000-5ec12e7c0de5";
    private const string KubernetesToken = "kubernetes-token-never-logged-5b7e";

    private static readonly string[] Secrets = [AccountKey, FunctionKey, BearerToken, BasicPassword, InstrumentationKey, KubernetesToken];

    private static IEnumerable<HttpRequestMessage> Requests()
    {
        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/health?code={FunctionKey}");
        var headers = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        headers.Headers.Add("x-functions-key", FunctionKey);
        headers.Headers.Authorization = new("Bearer", BearerToken);
        yield return headers;
        var basic = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        basic.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"alertmanager:{BasicPassword}")));
        yield return basic;
    }

    [Fact]
    public async Task No_credential_from_configuration_or_requests_reaches_a_log_line_or_a_response()
    {
        // Unreachable storage: the failure paths are where exception messages could carry connection details.
        var port = ClosedPort.Next();

        // Kubernetes too: a kubeconfig whose API server does not answer, with a token.
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: unreachable
              cluster: { server: "http://127.0.0.1:{{port}}" }
            users:
            - name: app
              user: { token: {{KubernetesToken}} }
            contexts:
            - name: app
              context: { cluster: unreachable, user: app }
            current-context: app
            """);
        using var cleanup = new DeleteOnDispose(kubeconfig);

        var lines = new ConcurrentQueue<string>();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("AzureWebJobsStorage",
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;");
            // The trigger settings the Functions host (and the local host's WebJobs SDK) cannot index without. The queue
            // trigger is off: on unreachable storage it gives up after the client's retries and stops the host, mid-test;
            // the timer stays on, so Kubernetes is still in use.
            host.UseSetting("ScaleCommandQueue", "scale-commands");
            host.UseSetting("RebalanceSchedule", "0 */5 * * * *");
            host.UseSetting("AzureWebJobs.scale-commands.Disabled", "true");
            host.UseSetting("APPLICATIONINSIGHTS_CONNECTION_STRING", $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=http://127.0.0.1:{port}/");
            host.UseSetting("Auth:BearerToken", BearerToken);
            host.UseSetting("Auth:BasicUsername", "alertmanager");
            host.UseSetting("Auth:BasicPassword", BasicPassword);
            host.UseSetting("Clusters:0:Namespace", "kafka");
            host.UseSetting("Clusters:0:Name", "kafka");
            host.UseSetting("Kubernetes:KubeConfigPath", kubeconfig);
            host.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(lines)));
        });
        await using var disposal = new FactoryDisposal(factory);
        using var client = factory.CreateClient();
        disposal.Stopping = factory.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        var bodies = await Task.WhenAll(Requests().Select(async request =>
        {
            using var response = await client.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }));

        Assert.Contains(lines, l => l.Contains("ScaleFunctions starting: storage connection string", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/api/health", StringComparison.Ordinal) || l.Contains("health", StringComparison.OrdinalIgnoreCase));
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
        }
    }

    private sealed class DeleteOnDispose(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            lines.Enqueue($"{logLevel} {category}[{eventId}] {formatter(state, exception)} {values} {exception}");
        }
    }

    /// <summary>
    /// Disposes the factory. On storage that never answers, the timer's lease gives up after its retries and the local
    /// host stops itself (StopOnUnhandledException), as it should; when that happened first, the factory then finds
    /// the host already disposed. That is not what this test is about, so only that case is let through.
    /// </summary>
    private sealed class FactoryDisposal(WebApplicationFactory<Program> factory) : IAsyncDisposable
    {
        public CancellationToken Stopping { get; set; }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await factory.DisposeAsync();
            }
            catch (AggregateException ex) when (Stopping.IsCancellationRequested && ex.InnerExceptions.All(e => e is ObjectDisposedException))
            {
            }
            catch (ObjectDisposedException) when (Stopping.IsCancellationRequested)
            {
            }
        }
    }
}
