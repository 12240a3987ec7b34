using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Operations;

/// <summary>
/// Health check <c>kubernetes:{namespace}/{name}</c>: can the app read the managed cluster's resource (through its
/// kind's <see cref="IClusterAdapter"/>)? Never credentials in its data. The client is resolved inside the check, so a
/// connection that cannot even be configured is unhealthy, not thrown. docs/deploy.md#health.
/// </summary>
public sealed class ClusterHealthCheck(ManagedClusterOptions cluster, Func<IEnumerable<IClusterAdapter>> adapters, FunctionSwitches switches) : IHealthCheck
{
    public static string Name(ManagedClusterOptions cluster) => $"kubernetes:{cluster.Namespace}/{cluster.Name}";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!switches.UsesClusters)
        {
            return HealthCheckReport.Disabled(switches.DisabledReason);
        }

        try
        {
            var reading = await adapters().ReadAsync(cluster, cancellationToken);
            return HealthCheckResult.Healthy($"{cluster.Kind} {cluster.Ref} is readable", new Dictionary<string, object>
            {
                ["state"] = reading.State ?? "",
                ["brokers"] = reading.BrokerCount,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{cluster.Kind} {cluster.Ref} is not readable ({Describe(ex)})");
        }
    }

    /// <summary>
    /// Why a read failed, safe to show: a 403 says which permission is missing (the API server's words carry no
    /// secret); otherwise the status code, or the exception's type only.
    /// </summary>
    public static string Describe(Exception ex) =>
        ex.Forbidden() is { } forbidden ? $"HTTP 403: {forbidden.ForbiddenReason("to read the KafkaCluster")}"
            : ex.StatusCode() is { } code ? $"HTTP {(int)code}" : ex.GetType().Name;
}
