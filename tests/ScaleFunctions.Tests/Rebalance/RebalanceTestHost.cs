using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>
/// The app's real DI (<c>AddScaleFunctions</c>) with a test configuration, a fake <see cref="IScaleActivity"/> (or the
/// executor's real one reading the Kubernetes API double) and a log recorder. Cruise Control settings default to no waiting (zero poll and retry delays).
/// </summary>
public sealed class RebalanceTestHost : IAsyncDisposable, IDisposable
{
    private readonly ServiceProvider provider;

    public RebalanceTestHost(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null, IKubernetes? kubernetes = null, bool fakeActivity = true)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["CruiseControl:PollInterval"] = "00:00:00",
            ["CruiseControl:RetryDelay"] = "00:00:00",
            ["Rebalance:FollowInterval"] = "00:00:00",
            ["Rebalance:FollowPolls"] = "3",
        };
        foreach (var (key, value) in settings)
        {
            values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddScaleFunctions(Configuration);
        if (kubernetes is null || fakeActivity)
        {
            services.RemoveAll<IScaleActivity>();
            services.AddSingleton<IScaleActivity>(Activity);
        }

        // The Kubernetes API double when given; otherwise any Kubernetes call fails fast (nothing listens on port 1).
        services.RemoveAll<IKubernetes>();
        services.AddSingleton(kubernetes ?? new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }));
        configure?.Invoke(services);
        provider = services.BuildServiceProvider();
    }

    public IConfiguration Configuration { get; }

    public LogRecorder Logs { get; } = new();

    /// <summary>Every log message and value, for "never logged" assertions (secrets).</summary>
    public string AllLogText => string.Join("\n", Logs.Entries.Select(e => e.Message + " " + string.Join(" ", e.Values.Values)));

    public FakeScaleActivity Activity { get; } = new();

    public IServiceProvider Services => provider;

    public IRebalanceCheck Check => provider.GetRequiredService<IRebalanceCheck>();

    /// <summary>Decisions of the rebalance stage, in order.</summary>
    public IReadOnlyList<(string Cluster, DecisionOutcome Outcome, string Reason)> Decisions => Logs.Entries
        .Where(e => e.EventId == DecisionLog.DecisionEvent && e["Stage"] == RebalanceCheck.Stage)
        .Select(e => (e["Cluster"]!, Enum.Parse<DecisionOutcome>(e["Outcome"]!), e["Reason"]!))
        .ToList();

    /// <summary>Results of finished rebalances (event RebalanceResult), in order.</summary>
    public IReadOnlyList<LogEntry> Results => Logs.Entries.Where(e => e.EventId.Id == RebalanceResults.ResultEventId).ToList();

    /// <summary>The only decision (asserts there is exactly one).</summary>
    public (string Cluster, DecisionOutcome Outcome, string Reason) Decision => Assert.Single(Decisions);

    /// <summary>Settings of one Direct cluster <c>kafka/kafka</c> whose Cruise Control is at <paramref name="url"/>.</summary>
    public static Dictionary<string, string?> DirectCluster(Uri url) => new()
    {
        ["Clusters__0__Namespace"] = "kafka",
        ["Clusters__0__Name"] = "kafka",
        ["Clusters__0__CruiseControl__Url"] = url.ToString(),
        ["Clusters__0__CruiseControl__ExecuteVia"] = "Direct",
    };

    public async ValueTask DisposeAsync() => await provider.DisposeAsync();

    public void Dispose() => provider.Dispose();
}
