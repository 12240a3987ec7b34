using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Azure.WebJobs.Host.Executors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleFunctions.Execution;
using ScaleFunctions.LocalHost;

namespace ScaleFunctions.Testing;

/// <summary>
/// The local host app (<see cref="LocalHostApp"/>), built in-process exactly as <c>npm start</c> builds it, with the
/// test's settings instead of local.settings.json, on Kestrel at 127.0.0.1 on a free port, with a host id of its own
/// (the WebJobs SDK's singleton leases and timer status are per host id, so test hosts never share them).
/// </summary>
public sealed class LocalHostServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalHostServer(WebApplication app, Uri baseAddress, string hostId)
    {
        this.app = app;
        BaseAddress = baseAddress;
        HostId = hostId;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>The WebJobs host id: the SDK's blob leases are <c>locks/&lt;host id&gt;/…</c>.</summary>
    public string HostId { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts the app. The queue function runs only with a <paramref name="commandHandler"/> (which replaces the app's
    /// own) or with <paramref name="appExecutor"/> (the app's own executor); otherwise it is switched off with the
    /// Functions host's setting, so intake tests can read the queue without a trigger taking the messages first.
    /// <paramref name="beforeStart"/> runs on the built app's services before anything starts (to seed storage).
    /// </summary>
    public static async Task<LocalHostServer> StartAsync(
        IDictionary<string, string?> settings,
        Action<WebApplicationBuilder>? configure = null,
        IScaleCommandHandler? commandHandler = null,
        bool appExecutor = false,
        Func<IServiceProvider, Task>? beforeStart = null)
    {
        var hostId = $"test-{Guid.NewGuid():N}"[..32];
        var app = LocalHostApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                if (commandHandler is null && !appExecutor && !settings.ContainsKey(QueueFunctionDisabled))
                {
                    builder.Configuration.AddInMemoryCollection([new(QueueFunctionDisabled, "true")]);
                }

                builder.Services.AddSingleton<IHostIdProvider>(new FixedHostId(hostId));

                // No kubeconfig here: a Kubernetes client whose calls fail fast (nothing listens on port 1), unless
                // the test registers its own (a double) in configure.
                builder.Services.RemoveAll<IKubernetes>();
                builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
                if (commandHandler is not null)
                {
                    builder.Services.RemoveAll<IScaleCommandHandler>();
                    builder.Services.AddSingleton(commandHandler);
                }

                configure?.Invoke(builder);
            },
            useLocalSettings: false);
        try
        {
            if (beforeStart is not null)
            {
                await beforeStart(app.Services);
            }

            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new LocalHostServer(app, new Uri(app.Urls.Single()), hostId);
    }

    private const string QueueFunctionDisabled = "AzureWebJobs.scale-commands.Disabled";

    /// <summary>
    /// Settings for a host on the given storage, managing cluster kafka/kafka, with a function key; the rebalance timer
    /// is switched off (tests that run it set <c>AzureWebJobs.rebalance-check.Disabled</c> to false).
    /// </summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, string queueName) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["ScaleCommandQueue"] = queueName,
        ["RebalanceSchedule"] = "0 */5 * * * *",
        ["AzureWebJobs.rebalance-check.Disabled"] = "true",
        ["Intake:ResolutionsTable"] = AzuriteFixture.NewTableName(),
        ["Auth:FunctionKey"] = TestCredentials.FunctionKey,
        ["Clusters:0:Namespace"] = "kafka",
        ["Clusters:0:Name"] = "kafka",
    };

    /// <summary>Stops the host (the SDK's listeners and their leases); <see cref="DisposeAsync"/> after this only disposes.</summary>
    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private sealed class FixedHostId(string hostId) : IHostIdProvider
    {
        public Task<string> GetHostIdAsync(CancellationToken cancellationToken) => Task.FromResult(hostId);
    }
}
