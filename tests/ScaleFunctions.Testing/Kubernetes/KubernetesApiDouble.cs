using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server double on loopback Kestrel (127.0.0.1, a free port): custom objects under
/// <c>/apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}[/status]]</c> with the API server's semantics (see
/// <see cref="CustomObjectStore"/>), every request recorded, faults on demand, optional bearer-token check and TLS.
/// Other routes (a service proxy, more resources) are added with <see cref="MapRoutes"/> before <see cref="StartAsync"/>.
/// </summary>
public sealed class KubernetesApiDouble : IAsyncDisposable
{
    private readonly List<Action<IEndpointRouteBuilder>> extraRoutes = [];
    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private WebApplication? app;

    public KubernetesApiDouble(TimeProvider? clock = null)
    {
        Store = new CustomObjectStore(clock);
    }

    public CustomObjectStore Store { get; }

    public ApiFaults Faults { get; } = new();

    /// <summary>When set, a request whose bearer token (null when none) this rejects gets 401 Unauthorized.</summary>
    public Func<string?, bool>? Authorize { get; set; }

    /// <summary>When set before start, the double serves HTTPS with this certificate (it must hold its private key).</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return requests.ToList();
            }
        }
    }

    /// <summary>Registers more endpoints (call before <see cref="StartAsync"/>).</summary>
    public KubernetesApiDouble MapRoutes(Action<IEndpointRouteBuilder> routes)
    {
        if (app is not null)
        {
            throw new InvalidOperationException("Add routes before the double starts.");
        }

        extraRoutes.Add(routes);
        return this;
    }

    public async Task<KubernetesApiDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (ServerCertificate is not null)
            {
                listen.UseHttps(ServerCertificate);
            }
        }));
        builder.Services.AddRouting();
        app = builder.Build();
        app.Use(RecordAndGuardAsync);
        CustomObjectRoutes.Map(app, Store);
        foreach (var routes in extraRoutes)
        {
            routes(app);
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return this;
    }

    /// <summary>A client configuration for this double (plain HTTP unless a server certificate is set).</summary>
    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = BaseUri.ToString().TrimEnd('/') };

    public IKubernetes CreateClient() => new k8s.Kubernetes(ClientConfiguration());

    public void ClearRequests()
    {
        lock (gate)
        {
            requests.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Faults.Clear();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task RecordAndGuardAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.EnableBuffering();
        var body = await new StreamReader(context.Request.Body, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
        context.Request.Body.Position = 0;
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body,
            context.Request.ContentType);
        lock (gate)
        {
            requests.Add(recorded);
        }

        if (Authorize is { } authorize && !authorize(recorded.BearerToken))
        {
            await CustomObjectRoutes.WriteStatusAsync(context, KubernetesStatus.Unauthorized());
            return;
        }

        if (await Faults.BeforeAsync(recorded) is { } fault)
        {
            await CustomObjectRoutes.WriteStatusAsync(context, fault);
            return;
        }

        await next(context);
    }
}
