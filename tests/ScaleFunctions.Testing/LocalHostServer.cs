using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleFunctions.Execution;
using ScaleFunctions.LocalHost;

namespace ScaleFunctions.Testing;

/// <summary>
/// The local host app (<see cref="LocalHostApp"/>), built in-process exactly as <c>npm start</c> builds it, with the
/// test's settings instead of local.settings.json, on Kestrel at 127.0.0.1 on a free port.
/// </summary>
public sealed class LocalHostServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalHostServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Starts the app. The queue listener runs only with a <paramref name="commandHandler"/>: whatever handler the app
    /// registers itself is replaced, so intake tests can read the queue without a listener taking the messages first.
    /// </summary>
    public static async Task<LocalHostServer> StartAsync(
        IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null, IScaleCommandHandler? commandHandler = null)
    {
        var app = LocalHostApp.Build(
            ["--urls", "http://127.0.0.1:0"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);

                // No kubeconfig here: a Kubernetes client whose calls fail fast (nothing listens on port 1), unless
                // the test registers its own (a double) in configure.
                builder.Services.RemoveAll<IKubernetes>();
                builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
                builder.Services.RemoveAll<IScaleCommandHandler>();
                if (commandHandler is not null)
                {
                    builder.Services.AddSingleton(commandHandler);
                }

                configure?.Invoke(builder);
            },
            useLocalSettings: false);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new LocalHostServer(app, new Uri(app.Urls.Single()));
    }

    /// <summary>Settings for a host on the given storage, managing cluster kafka/kafka, with a function key.</summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, string queueName) => new()
    {
        ["AzureWebJobsStorage"] = storageConnectionString,
        ["ScaleCommandQueue"] = queueName,
        ["Intake:ResolutionsTable"] = AzuriteFixture.NewTableName(),
        ["Auth:FunctionKey"] = TestCredentials.FunctionKey,
        ["Clusters:0:Namespace"] = "kafka",
        ["Clusters:0:Name"] = "kafka",
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
