using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Rebalance.CruiseControl.Models;

namespace ScaleFunctions.Rebalance;

/// <summary>Checks every managed cluster with Cruise Control and starts a rebalance where one is worth it.</summary>
public interface IRebalanceCheck
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The timer's work: one decision per managed cluster on whether a rebalance is worth it now, and never while anything
/// else moves partitions (docs/rebalance.md#what-one-check-does, #never-two-at-once). Clusters whose operator owns Cruise Control are
/// handed to their <see cref="IClusterRebalance"/> (Strimzi).
/// </summary>
public sealed class RebalanceCheck(
    ManagedClusters clusters,
    IScaleActivity scaleActivity,
    CruiseControlClients clients,
    CruiseControlOperations operations,
    RebalancePolicy policy,
    RebalanceStarter starter,
    RebalanceResults results,
    ClusterLocks locks,
    DecisionLog decisions,
    IEnumerable<IClusterRebalance> kinds,
    IOptions<RebalanceOptions> options) : IRebalanceCheck
{
    public const string Stage = "rebalance";

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(clusters.All.Select(cluster => CheckAsync(cluster, cancellationToken)));

    private async Task CheckAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        if (kinds.FirstOrDefault(k => k.Kind == cluster.Kind) is { } kind)
        {
            decisions.Record(await kind.CheckAsync(cluster, cancellationToken));
            return;
        }

        if (!cluster.CruiseControl.IsConfigured)
        {
            decisions.Record(For(cluster, DecisionOutcome.Ignored, "Cruise Control is not configured for this cluster (CruiseControl__Url or __Service)"));
            return;
        }

        using var held = locks.TryEnter(cluster.Ref);
        if (held is null)
        {
            decisions.Record(For(cluster, DecisionOutcome.Deferred, "skipped: another rebalance check of this cluster is still running"));
            return;
        }

        Decision decision;
        RebalanceStart? start = null;
        try
        {
            (decision, start) = await DecideAsync(cluster, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is { } forbidden)
        {
            decision = For(cluster, DecisionOutcome.Refused, $"{ReasonCodes.Forbidden}: {forbidden.ForbiddenReason("by the rebalance check")}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            decision = For(cluster, DecisionOutcome.Refused, $"check failed: {ex.ApiMessage()}");
        }

        decisions.Record(decision);
        if (start is not null)
        {
            await starter.FollowAsync(cluster, start, cancellationToken);
        }
    }

    private async Task<(Decision, RebalanceStart?)> DecideAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var client = clients.For(cluster);
        var koperator = cluster.Kind == ClusterKind.KafkaCluster;
        var clusterOperations = koperator ? await operations.ListAsync(cluster, cancellationToken) : [];
        await results.ReportFinishedAsync(cluster, clusterOperations, client, cancellationToken);

        if (koperator)
        {
            var activity = await scaleActivity.GetAsync(cluster, cancellationToken);
            if (!activity.IsResting)
            {
                return Skip(cluster, $"the cluster is not resting: {activity.Reason ?? Describe(activity)}");
            }
        }

        var state = await client.GetStateAsync(cancellationToken);
        results.Adopt(cluster, state.Value?.Executor); // a direct rebalance this app started before a restart
        if (Busy(state) is { } busy)
        {
            return Skip(cluster, busy);
        }

        // Koperator runs its own operations (add_broker, remove_broker, ...) whichever way this app starts a rebalance.
        var unfinished = clusterOperations.Where(o => o.IsUnfinished).ToList();
        if (unfinished.Count > 0)
        {
            return Skip(cluster, CruiseControlOperation.DescribeUnfinished(unfinished));
        }

        var via = cluster.CruiseControl.ExecutionFor(cluster.Kind);
        var proposals = await client.GetProposalsAsync(cluster.CruiseControl.GoalList, cancellationToken);
        if (proposals.Value is not { } proposal)
        {
            return Skip(cluster, proposals.Outcome == CruiseControlOutcome.NotReady
                ? "Cruise Control is not ready yet (not enough valid metric windows)"
                : $"Cruise Control is still computing proposals (user task {proposals.UserTaskId})");
        }

        var rebalance = policy.Decide(proposal);
        if (!rebalance.Rebalance)
        {
            return (For(cluster, DecisionOutcome.Ignored, $"no rebalance: {rebalance.Reason}"), null);
        }

        if (options.Value.DryRun)
        {
            return Skip(cluster, $"dry run (Rebalance__DryRun): would rebalance via {via}: {rebalance.Reason}");
        }

        var start = await starter.StartAsync(cluster, client, via, cancellationToken);
        return start.Started
            ? (For(cluster, DecisionOutcome.Acted, $"rebalance started via {via} ({start.Description}): {rebalance.Reason}"), start)
            : Skip(cluster, start.Description);
    }

    /// <summary>Why Cruise Control cannot take a rebalance now, or null when it can.</summary>
    private static string? Busy(CruiseControlResult<CruiseControlState> result)
    {
        if (result.Value is not { } state)
        {
            return $"Cruise Control's state is not available yet ({result.Outcome})";
        }

        if (state.Executor is not { IsIdle: true })
        {
            return state.Executor?.Describe() ?? "Cruise Control's executor state is unknown";
        }

        if (state.Monitor is not { IsRunning: true })
        {
            var monitor = state.Monitor;
            return string.Create(CultureInfo.InvariantCulture,
                $"Cruise Control's load monitor is {monitor?.State ?? "unknown"}, not RUNNING ({monitor?.TrainingPct ?? 0:0.#}% trained, {monitor?.MonitoringCoveragePct ?? 0:0.#}% coverage)");
        }

        return state.Analyzer is { IsProposalReady: true } ? null : "Cruise Control has no proposal ready yet";
    }

    private static string Describe(ScaleActivity activity) => string.Join(", ", new[]
    {
        activity.ScalingInProgress ? "scaling in progress" : null,
        activity.InCooldown ? "in cooldown" : null,
        activity.GracefulActionsPending ? "graceful actions pending" : null,
    }.OfType<string>());

    private static (Decision, RebalanceStart?) Skip(ManagedClusterOptions cluster, string reason) =>
        (For(cluster, DecisionOutcome.Deferred, $"skipped: {reason}"), null);

    private static Decision For(ManagedClusterOptions cluster, DecisionOutcome outcome, string reason) =>
        new(Stage, cluster.Ref.ToString(), "rebalance", [], outcome, reason);
}

/// <summary>
/// The rebalance check of one kind of cluster whose operator owns Cruise Control (Strimzi's KafkaRebalance), used by
/// <see cref="RebalanceCheck"/> instead of Cruise Control's REST API for clusters of that <see cref="Kind"/>. It makes
/// exactly one decision per check, whatever happens (its own lock, errors and 403s included).
/// </summary>
public interface IClusterRebalance
{
    ClusterKind Kind { get; }

    Task<Decision> CheckAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}
