using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>
/// How to reach one cluster's Cruise Control and how to ask it for a rebalance. Global defaults come from the
/// <c>CruiseControl</c> section; each cluster's <c>Clusters__N__CruiseControl</c> section overrides them key by key
/// (see <see cref="CruiseControlSettingsLayering"/>). Cruise Control is configured for a cluster when it has either a
/// <see cref="Url"/> or a <see cref="Service"/>; without both, the rebalance check leaves the cluster alone.
/// </summary>
public sealed class CruiseControlOptions
{
    public const string SectionName = "CruiseControl";

    /// <summary>Base address of the REST API, prefix included, e.g. <c>http://kafka-cruisecontrol-svc.kafka:8090/kafkacruisecontrol</c>.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Name of the Cruise Control Service in the cluster's namespace (Koperator: <c>&lt;cluster&gt;-cruisecontrol-svc</c>),
    /// reached through the Kubernetes API server's service proxy with the app's Kubernetes credentials.
    /// </summary>
    public string? Service { get; set; }

    /// <summary>Service port for <see cref="Service"/> (Koperator: 8090).</summary>
    public int Port { get; set; } = 8090;

    /// <summary>Path of the REST API behind the service (Cruise Control's <c>webserver.api.urlprefix</c>).</summary>
    public string ApiPath { get; set; } = "kafkacruisecontrol";

    /// <summary>Optional HTTP basic authentication (only with <see cref="Url"/>: the API server's proxy drops <c>Authorization</c>).</summary>
    public string? BasicUsername { get; set; }

    /// <summary>Password for <see cref="BasicUsername"/>. Never logged.</summary>
    public string? BasicPassword { get; set; }

    /// <summary>How a rebalance is started. Null: <see cref="RebalanceExecution.Operator"/> for Koperator clusters, else direct.</summary>
    public RebalanceExecution? ExecuteVia { get; set; }

    /// <summary>
    /// Cruise Control's capacity opinion before an upScale or downScale: <see cref="CapacityOpinionMode.Enforce"/> (default)
    /// refuses a downScale while Cruise Control says the cluster is under-provisioned.
    /// </summary>
    public CapacityOpinionMode CapacityOpinion { get; set; } = CapacityOpinionMode.Enforce;

    /// <summary>Comma-separated goals for proposals and rebalances (Cruise Control's defaults when empty). Direct only: refused at start with the operator path.</summary>
    public string? Goals { get; set; }

    /// <summary>Upper bound, in bytes per second, on the bandwidth used to move replicas (<c>replication_throttle</c>). Direct only.</summary>
    public long? ReplicationThrottle { get; set; }

    /// <summary><c>concurrent_partition_movements_per_broker</c> for a direct rebalance.</summary>
    public int? ConcurrentPartitionMovementsPerBroker { get; set; }

    /// <summary><c>concurrent_leader_movements</c> for a direct rebalance.</summary>
    public int? ConcurrentLeaderMovements { get; set; }

    /// <summary>Wait between two polls of an asynchronous request (202 + <c>User-Task-ID</c>).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many requests per asynchronous call before giving up waiting (the task goes on in Cruise Control).</summary>
    public int MaxPolls { get; set; } = 24;

    /// <summary>Timeout of one HTTP attempt. Global only (the <c>CruiseControl</c> section).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a retryable request after a transient failure. Global only.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Base delay of the exponential retry back-off. Global only.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url) || !string.IsNullOrWhiteSpace(Service);

    public bool UsesServiceProxy => string.IsNullOrWhiteSpace(Url) && !string.IsNullOrWhiteSpace(Service);

    public bool HasBasicAuth => !string.IsNullOrEmpty(BasicUsername);

    /// <summary>The way a rebalance is started for a cluster of this kind: <see cref="ExecuteVia"/>, else operator for Koperator.</summary>
    public RebalanceExecution ExecutionFor(ClusterKind kind) =>
        ExecuteVia ?? (kind == ClusterKind.KafkaCluster ? RebalanceExecution.Operator : RebalanceExecution.Direct);

    public IReadOnlyList<string> GoalList =>
        (Goals ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// What the executor does with Cruise Control's capacity opinion (<c>provisionStatus</c> of its proposals) before an
/// <c>upScale</c> or <c>downScale</c> (<c>CruiseControl__CapacityOpinion</c>, per cluster
/// <c>Clusters__N__CruiseControl__CapacityOpinion</c>; docs/executor.md, "A second opinion before removing a broker").
/// </summary>
public enum CapacityOpinionMode
{
    /// <summary>Do not ask.</summary>
    Off,

    /// <summary>Ask and record the opinion in the decision's reason; never change the decision because of it.</summary>
    Advise,

    /// <summary>As <see cref="Advise"/>, and refuse a <c>downScale</c> while Cruise Control says UNDER_PROVISIONED (defer it while Cruise Control cannot say).</summary>
    Enforce,
}

/// <summary>How the app starts a rebalance it decided on (<c>Clusters__N__CruiseControl__ExecuteVia</c>).</summary>
public enum RebalanceExecution
{
    /// <summary>Create a Koperator <c>CruiseControlOperation</c> with a <c>rebalance</c> task; the operator runs it.</summary>
    Operator,

    /// <summary>POST <c>rebalance?dryrun=false</c> to Cruise Control.</summary>
    Direct,
}

/// <summary>
/// Gives every managed cluster its effective Cruise Control settings: the global <c>CruiseControl</c> section first,
/// then the cluster's own <c>Clusters__N__CruiseControl</c> section on top, key by key.
/// </summary>
public sealed class CruiseControlSettingsLayering(IConfiguration configuration) : IPostConfigureOptions<ManagedClustersOptions>
{
    public void PostConfigure(string? name, ManagedClustersOptions options)
    {
        var clusterSections = configuration.GetSection("Clusters").GetChildren().ToList();

        // Binding the Clusters list skips an entry that fails to bind (an unknown CapacityOpinion or ExecuteVia would
        // drop the whole cluster silently): bind each entry's section on its own, so the binder's error, naming the
        // setting, stops the app at start instead.
        foreach (var section in clusterSections)
        {
            section.GetSection(CruiseControlOptions.SectionName).Bind(new CruiseControlOptions());
        }

        foreach (var cluster in options.Clusters)
        {
            var effective = new CruiseControlOptions();
            configuration.GetSection(CruiseControlOptions.SectionName).Bind(effective);
            var own = clusterSections.FirstOrDefault(s =>
                string.Equals(s["Namespace"], cluster.Namespace, StringComparison.Ordinal) &&
                string.Equals(s["Name"], cluster.Name, StringComparison.Ordinal));
            own?.GetSection(CruiseControlOptions.SectionName).Bind(effective);
            cluster.CruiseControl = effective;
        }
    }
}

/// <summary>Start-up validation of every cluster's effective Cruise Control settings. Messages never contain the password.</summary>
public sealed partial class CruiseControlSettingsValidator : IValidateOptions<ManagedClustersOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagedClustersOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var cluster = options.Clusters[i];
            failures.AddRange(Validate(cluster).Select(f => $"Clusters:{i}:CruiseControl ({cluster.Ref}): {f}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static IEnumerable<string> Validate(ManagedClusterOptions cluster)
    {
        var cc = cluster.CruiseControl;
        if (!string.IsNullOrWhiteSpace(cc.Url) && !string.IsNullOrWhiteSpace(cc.Service))
        {
            yield return "set either Url or Service, not both.";
        }

        if (!string.IsNullOrWhiteSpace(cc.Url))
        {
            if (!Uri.TryCreate(cc.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                yield return "Url must be an absolute http or https address.";
            }
            else if (!string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Query))
            {
                yield return "Url must not carry credentials or a query; use BasicUsername and BasicPassword.";
            }
        }

        if (!string.IsNullOrWhiteSpace(cc.Service) && !DnsLabel().IsMatch(cc.Service))
        {
            yield return "Service must be a DNS-1123 label (a Service name).";
        }

        if (cc.Port is < 1 or > 65535)
        {
            yield return "Port must be between 1 and 65535.";
        }

        if (!ApiPathPattern().IsMatch(cc.ApiPath))
        {
            yield return "ApiPath must be a relative path such as 'kafkacruisecontrol'.";
        }

        if (string.IsNullOrEmpty(cc.BasicUsername) != string.IsNullOrEmpty(cc.BasicPassword))
        {
            yield return "BasicUsername and BasicPassword go together.";
        }

        if (cc.HasBasicAuth && cc.UsesServiceProxy)
        {
            yield return "basic authentication cannot go through the API server's service proxy (it removes the Authorization header); use Url.";
        }

        if (cc.ExecuteVia == RebalanceExecution.Operator && cluster.Kind != ClusterKind.KafkaCluster)
        {
            yield return "ExecuteVia Operator needs a Koperator KafkaCluster (Kind KafkaCluster).";
        }

        if (!Enum.IsDefined(cc.CapacityOpinion))
        {
            yield return "CapacityOpinion must be Off, Advise or Enforce.";
        }

        if (cc.GoalList.Count > 0 && cc.ExecutionFor(cluster.Kind) == RebalanceExecution.Operator)
        {
            yield return "Goals cannot be used when rebalancing through Koperator (ExecuteVia Operator, the default for a KafkaCluster): " +
                "Koperator runs Cruise Control's default goals, so proposals judged with other goals would not be what runs. Remove Goals or set ExecuteVia Direct.";
        }

        if (cc.GoalList.Any(g => !GoalName().IsMatch(g)))
        {
            yield return "Goals must be a comma-separated list of goal names.";
        }

        if (cc.ReplicationThrottle is < 1 || cc.ConcurrentPartitionMovementsPerBroker is < 1 || cc.ConcurrentLeaderMovements is < 1)
        {
            yield return "ReplicationThrottle and the concurrency limits must be positive when set.";
        }

        if (cc.PollInterval < TimeSpan.Zero || cc.MaxPolls < 1)
        {
            yield return "PollInterval must not be negative and MaxPolls must be at least 1.";
        }

        if (cc.AttemptTimeout <= TimeSpan.Zero || cc.RetryAttempts < 0 || cc.RetryDelay < TimeSpan.Zero)
        {
            yield return "AttemptTimeout must be positive; RetryAttempts and RetryDelay must not be negative.";
        }
    }

    [GeneratedRegex(KubernetesNames.DnsLabel)]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")]
    private static partial Regex ApiPathPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.]*$")]
    private static partial Regex GoalName();
}
