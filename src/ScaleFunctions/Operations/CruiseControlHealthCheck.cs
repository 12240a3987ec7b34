using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Operations;

/// <summary>
/// <c>cruisecontrol:&lt;ns&gt;/&lt;name&gt;</c>: is the cluster's Cruise Control reachable (<c>state</c>)? Degraded while it
/// is not ready (monitor not running, not enough windows). Data: endpoint (no credentials) and executor/monitor state.
/// Disabled (healthy, no request) when neither the executor nor the rebalance check runs.
/// </summary>
public sealed class CruiseControlHealthCheck(string @namespace, string name, ManagedClusters clusters, CruiseControlClients clients, FunctionSwitches switches) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cluster = clusters.Find(@namespace, name);
        if (cluster is null || !cluster.CruiseControl.IsConfigured)
        {
            return HealthCheckResult.Healthy("Cruise Control is not configured for this cluster.");
        }

        if (!switches.UsesClusters)
        {
            return HealthCheckReport.Disabled(switches.DisabledReason);
        }

        var data = new Dictionary<string, object>();
        try
        {
            // Inside the try: a service-proxy endpoint needs the Kubernetes connection, which may not be configurable.
            var client = clients.For(cluster);
            data["endpoint"] = client.Endpoint.Describe(cluster);
            var result = await client.GetStateAsync(cancellationToken);
            if (result.Value is not { } state)
            {
                return HealthCheckResult.Degraded($"Cruise Control is not ready: {result.Outcome}.", data: data);
            }

            data["executor"] = state.Executor?.State ?? "unknown";
            data["monitor"] = state.Monitor?.State ?? "unknown";
            return state.Monitor?.IsRunning == true
                ? HealthCheckResult.Healthy("Cruise Control answers.", data)
                : HealthCheckResult.Degraded("Cruise Control answers but its load monitor is not running.", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Cruise Control's (or the proxy's) own error text; for anything else the exception's type only, since a
            // client-side message could carry configuration details.
            data["error"] = ex is CruiseControlException or Kubernetes.KubernetesForbiddenException ? ex.Message : ex.GetType().Name;
            return new HealthCheckResult(context.Registration.FailureStatus, $"Cruise Control is unreachable ({ex.GetType().Name}).", data: data);
        }
    }
}
