using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// The two HttpClients Cruise Control is reached with: direct (a URL) and through the API server's service proxy. Both
/// carry the standard resilience handler with <see cref="CruiseControlRetry"/>'s rules and one pipeline (hence one
/// circuit breaker) per cluster, chosen by the cluster id each request carries. Settings are read when first used, so
/// configuration added after registration still counts.
/// </summary>
public static class CruiseControlHttp
{
    public const string DirectClient = "cruisecontrol";
    public const string ServiceProxyClient = "cruisecontrol-service-proxy";

    public static readonly HttpRequestOptionsKey<string> Cluster = new("ScaleFunctions.CruiseControl.Cluster");

    public static void Register(IServiceCollection services)
    {
        Resilient(services.AddHttpClient(DirectClient, NoClientTimeout));
        Resilient(services.AddHttpClient(ServiceProxyClient, NoClientTimeout)
            .ConfigurePrimaryHttpMessageHandler(sp => new KubernetesServiceProxyHandler(sp.GetRequiredService<IKubernetes>())));
    }

    private static void NoClientTimeout(HttpClient client) => client.Timeout = Timeout.InfiniteTimeSpan;

    private static void Resilient(IHttpClientBuilder builder) => builder
        .AddStandardResilienceHandler()
        .Configure((options, sp) => Configure(options, sp.GetRequiredService<IOptions<CruiseControlOptions>>().Value))
        .SelectPipelineBy(_ => request => request.Options.TryGetValue(Cluster, out var cluster) ? cluster : "");

    /// <summary>Standard pipeline from the global <c>CruiseControl</c> settings, with the retry rules of <see cref="CruiseControlRetry"/>.</summary>
    private static void Configure(HttpStandardResilienceOptions options, CruiseControlOptions global)
    {
        options.AttemptTimeout.Timeout = global.AttemptTimeout;
        options.Retry.MaxRetryAttempts = Math.Max(1, global.RetryAttempts);
        options.Retry.Delay = global.RetryDelay;
        options.Retry.ShouldHandle = args => ValueTask.FromResult(
            global.RetryAttempts > 0 && CruiseControlRetry.ShouldRetry(args.Context.GetRequestMessage(), args.Outcome));
        options.CircuitBreaker.SamplingDuration = global.AttemptTimeout * 2 + TimeSpan.FromSeconds(1);
        options.TotalRequestTimeout.Timeout = (global.AttemptTimeout + global.RetryDelay * 4) * (global.RetryAttempts + 1);
    }
}
