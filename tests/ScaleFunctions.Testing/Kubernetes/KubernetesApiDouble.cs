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
/// Every request is authorized against <see cref="Rbac"/> — by default the shipped <c>deploy/kubernetes/rbac.yaml</c> —
/// and answered 403 with the API server's Status when no rule allows it; a test that deliberately needs more sets
/// <see cref="Rbac"/> to a wider policy (or null: everything allowed). <see cref="Authorizations"/> lists what was asked.
/// Other routes (a service proxy, more resources) are added with <see cref="MapRoutes"/> before <see cref="StartAsync"/>.
/// </summary>
public sealed class KubernetesApiDouble : IAsyncDisposable
{
    private readonly List<Action<IEndpointRouteBuilder>> extraRoutes = [];
    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private readonly List<Authorization> authorizations = [];
    private WebApplication? app;

    public KubernetesApiDouble(TimeProvider? clock = null)
    {
        Store = new CustomObjectStore(clock);
    }

    public CustomObjectStore Store { get; }

    public ApiFaults Faults { get; } = new();

    /// <summary>Faults on a seeded share of requests (after <see cref="Faults"/>); null: none.</summary>
    public RandomFaults? RandomFaults { get; set; }

    /// <summary>When set, a request whose bearer token (null when none) this rejects gets 401 Unauthorized.</summary>
    public Func<string?, bool>? Authorize { get; set; }

    /// <summary>The RBAC policy requests are authorized against (default: the shipped manifest); null allows everything.</summary>
    public RbacPolicy? Rbac { get; set; } = RbacPolicy.Shipped();

    /// <summary>Every resource request's attributes and the rule that allowed it (null: refused), in order.</summary>
    public IReadOnlyList<Authorization> Authorizations
    {
        get
        {
            lock (gate)
            {
                return authorizations.ToList();
            }
        }
    }

    /// <summary>When set before start, the double serves HTTPS with this certificate (it must hold its private key).</summary>
    public X509Certificate2? ServerCertificate { get; init; }

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Writes a kubeconfig at <paramref name="path"/> whose one context points at this double with a bearer token, for an app run as its own process.</summary>
    public Task WriteKubeconfigAsync(string path, string token) => File.WriteAllTextAsync(path, $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: double
          cluster: { server: "{{BaseUri.ToString().TrimEnd('/')}}" }
        users:
        - name: app
          user: { token: {{token}} }
        contexts:
        - name: double
          context: { cluster: double, user: app }
        current-context: double
        """);

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
            authorizations.Clear();
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

        if (Rbac is { } rbac)
        {
            var attributes = RequestAttributes.From(recorded.Method, recorded.Path, recorded.Query);
            var rule = rbac.Allowing(attributes);
            lock (gate)
            {
                authorizations.Add(new Authorization(attributes, rule));
            }

            if (rule is null)
            {
                await CustomObjectRoutes.WriteStatusAsync(context, rbac.Forbidden(attributes));
                return;
            }
        }

        if (await Faults.BeforeAsync(recorded) is { } fault)
        {
            await CustomObjectRoutes.WriteStatusAsync(context, fault);
            return;
        }

        if (RandomFaults is { } random && random.Next(recorded) is { } injected)
        {
            await random.AnswerAsync(injected, context, next);
            return;
        }

        await next(context);
    }
}

/// <summary>One authorization decision of the double: the request's attributes and the rule that allowed it (null: 403).</summary>
public sealed record Authorization(RequestAttributes Request, RbacRule? Rule)
{
    public bool Allowed => Rule is not null;
}
