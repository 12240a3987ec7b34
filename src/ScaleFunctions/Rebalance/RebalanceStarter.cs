using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Starts a decided rebalance, through Koperator (a CruiseControlOperation) or directly (<c>POST rebalance?dryrun=false</c>
/// with the cluster's goals, throttle and concurrency), then follows it for a bounded time. Its result is logged by
/// <see cref="RebalanceResults"/>, while following or at a later check.
/// </summary>
public sealed class RebalanceStarter(
    CruiseControlOperations operations,
    RebalanceResults results,
    IOptions<RebalanceOptions> options,
    TimeProvider time,
    ILogger<RebalanceStarter> logger)
{
    public const string TaskReason = "ScaleFunctions rebalance check";

    public Task<RebalanceStart> StartAsync(ManagedClusterOptions cluster, CruiseControlClient client, RebalanceExecution via, CancellationToken cancellationToken) =>
        via == RebalanceExecution.Operator ? StartViaOperatorAsync(cluster, cancellationToken) : StartDirectAsync(cluster, client, cancellationToken);

    /// <summary>Looks at a started rebalance up to <see cref="RebalanceOptions.FollowPolls"/> times; its result is logged once it finished.</summary>
    public async Task FollowAsync(ManagedClusterOptions cluster, RebalanceStart start, CancellationToken cancellationToken)
    {
        if (start.Poll is null)
        {
            return;
        }

        for (var look = 1; look <= options.Value.FollowPolls; look++)
        {
            await Task.Delay(options.Value.FollowInterval, time, cancellationToken);
            try
            {
                if (await start.Poll(cancellationToken))
                {
                    return;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Rebalance of cluster {Cluster} ({Execution}) could not be followed; a later check logs its result: {Error}", cluster.Ref.ToString(), start.Description, ex.Message);
                return;
            }
        }

        logger.LogInformation(
            "Rebalance of cluster {Cluster} ({Execution}) still running after {Looks} looks; a later check logs its result, and checks skip the cluster until Cruise Control's executor is idle",
            cluster.Ref.ToString(), start.Description, options.Value.FollowPolls);
    }

    private async Task<RebalanceStart> StartDirectAsync(ManagedClusterOptions cluster, CruiseControlClient client, CancellationToken cancellationToken)
    {
        var parameters = ExecutionParameters.From(cluster.CruiseControl, dryRun: false, reason: TaskReason);
        var result = await client.RebalanceAsync(parameters, cancellationToken);
        if (result.Outcome == CruiseControlOutcome.NotReady)
        {
            return new RebalanceStart(false, $"Cruise Control is not ready to execute: {result.Detail}");
        }

        var described = result.Outcome == CruiseControlOutcome.Pending
            ? $"user task {result.UserTaskId}, still computing ({result.Detail})"
            : $"user task {result.UserTaskId}";
        if (result.UserTaskId is not { } taskId)
        {
            return new RebalanceStart(true, "no user task id returned");
        }

        results.Remember(cluster, taskId);
        return new RebalanceStart(true, described, ct => results.TryReportAsync(cluster, client, taskId, ct));
    }

    private async Task<RebalanceStart> StartViaOperatorAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var created = await operations.CreateRebalanceAsync(cluster, options.Value.OperationTtlSeconds, cancellationToken);
        var name = created.Metadata.Name;
        return new RebalanceStart(true, $"CruiseControlOperation {cluster.Namespace}/{name}", ct => PollOperationAsync(cluster, name, ct));
    }

    private async Task<bool> PollOperationAsync(ManagedClusterOptions cluster, string name, CancellationToken cancellationToken)
    {
        CruiseControlOperation operation;
        try
        {
            operation = await operations.GetAsync(cluster.Namespace, name, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            results.ReportGone(cluster, name);
            return true;
        }

        return await results.TryReportAsync(cluster, operation, cancellationToken);
    }
}

/// <summary>
/// What became of a request to start a rebalance. When <see cref="Started"/>, <see cref="Poll"/> (if any) looks at the
/// execution once and returns true when it has finished (its result is then logged by <see cref="RebalanceResults"/>).
/// </summary>
public sealed record RebalanceStart(bool Started, string Description, Func<CancellationToken, Task<bool>>? Poll = null);
