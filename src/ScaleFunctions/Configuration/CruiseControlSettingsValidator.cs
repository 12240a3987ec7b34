using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>Start-up validation of every cluster's effective Cruise Control settings. Messages never contain the password.</summary>
public sealed partial class CruiseControlSettingsValidator : IValidateOptions<ManagedClustersOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagedClustersOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var cluster = options.Clusters[i];
            failures.AddRange(Validate(cluster).Select(f => $"Clusters:{i}:CruiseControl ({cluster.Id}): {f}"));
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
