using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Azure.WebJobs.Hosting;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Operations;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The same functions as src/ScaleFunctions.App, without Core Tools: the same DI entry point (AddScaleFunctions), the
/// same settings (local.settings.json "Values", then environment, then command line), the same host.json, and the
/// queue and timer triggers on the WebJobs SDK as the Functions host runs them (docs/local-host.md). Tests build the
/// very same app with extra configuration through <c>configure</c>.
/// </summary>
public static class LocalHostApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, bool useLocalSettings = true)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (useLocalSettings)
        {
            builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);
        }

        // host.json under AzureFunctionsJobHost, the section the WebJobs SDK binds its extensions' options from
        // (extensions.queues becomes the queue trigger's QueuesOptions), as on the Functions host.
        builder.Configuration.AddHostJson(AppContext.BaseDirectory);
        builder.Configuration["AzureWebJobsConfigurationSection"] = HostJson.Section;

        // Lowest priority: quieter framework logs, as a Functions app's host.json would have them; any setting wins.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });

        builder.Services.AddScaleFunctions(builder.Configuration);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AppLevelCredentialRequired>());

        // Hosted services start in registration order, all before the HTTP server: storage first, then the triggers.
        // Partial start-up as on the Functions host: a listener that cannot start (storage down) is logged and retried.
        builder.Services.AddHostedService<EmbeddedAzurite>();
        builder.Services.AddWebJobs(options => options.AllowPartialHostStartup = true)
            .AddAzureStorageCoreServices()
            .AddAzureStorageQueues()
            .AddTimers();
        builder.Services.AddSingleton<IWebJobsExceptionHandler, StopOnUnhandledException>();
        builder.Services.AddSingleton<ITypeLocator>(new FunctionTypes(typeof(ScaleCommandFunction), typeof(RebalanceCheckFunction)));
        builder.Services.AddHostedService<JobHostService>();
        builder.Services.AddHostedService<FunctionsIndexed>();

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapPost("/api/alerts", async (HttpRequest request, AlertWebhookHandler handler, CancellationToken ct) =>
            (await handler.HandleAsync(request.ToWebhookRequest(), ct)).ToResult());
        app.MapPost("/api/plan", async (HttpRequest request, WebhookPlanner planner, CancellationToken ct) =>
            (await planner.PlanAsync(request.ToWebhookRequest(), ct)).ToResult());
        app.MapGet("/api/clusters", async (HttpRequest request, ClusterStatusReader status, CancellationToken ct) =>
            (await status.ReadAsync(request.ToWebhookRequest(), null, null, ct)).ToResult());
        app.MapGet("/api/clusters/{namespace}/{name}", async (HttpRequest request, string @namespace, string name, ClusterStatusReader status, CancellationToken ct) =>
            (await status.ReadAsync(request.ToWebhookRequest(), @namespace, name, ct)).ToResult());

        // Where Prometheus pushes with path_prefix "/" (docs/prometheus.md). The local host checks every credential
        // itself and does not start without one (AppLevelCredentialRequired), so both routes are guarded alike.
        app.MapPost("/api/v2/alerts", async (HttpRequest request, AlertWebhookHandler handler, CancellationToken ct) =>
            (await handler.HandleAsync(request.ToWebhookRequest(), ct)).ToResult());
        app.MapGet("/api/health", async (HealthCheckReport health, CancellationToken ct) => (await health.CheckAsync(ct)).ToResult());
        return app;
    }

    /// <summary>The SDK indexes exactly these classes' functions, not whatever else is loaded.</summary>
    private sealed class FunctionTypes(params Type[] types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}
