using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl.Models;
using ScaleFunctions.Strimzi;
using R = ScaleFunctions.Rebalance.Strimzi.StrimziRebalanceReasons;

namespace ScaleFunctions.Rebalance.Strimzi;

/// <summary>
/// The rebalance check of a Strimzi cluster. Strimzi owns its Cruise Control, so the check asks for and approves
/// proposals through one KafkaRebalance of its own per cluster (<see cref="NameFor"/>), a state machine whose state is
/// that resource's status: a restart continues where the last check left off. One decision per check, with a reason
/// code (<see cref="StrimziRebalanceReasons"/>); the states and guards: docs/rebalance.md#strimzi.
/// </summary>
public sealed class StrimziRebalanceCheck(
    CustomObjectClient objects,
    IScaleActivity scaleActivity,
    RebalancePolicy policy,
    RebalanceResults results,
    ClusterLocks locks,
    IOptions<RebalanceOptions> options,
    TimeProvider time) : IClusterRebalance
{
    /// <summary>At most this much of Strimzi's condition message reaches a reason.</summary>
    public const int MaxMessageLength = 512;

    public static readonly CustomResourceType Kafkas = new(StrimziNames.Group, StrimziNames.Version, StrimziNames.Kafkas, "Kafka");

    public static readonly CustomResourceType KafkaRebalances = new(StrimziNames.Group, StrimziNames.Version, StrimziNames.KafkaRebalances, "KafkaRebalance");

    public ClusterKind Kind => ClusterKind.KafkaNodePool;

    /// <summary>The one KafkaRebalance this app creates for a cluster: a fixed name, so every check finds the same one.</summary>
    public static string NameFor(ManagedClusterOptions cluster) => $"{cluster.Name}-scalefunctions-rebalance";

    public async Task<Decision> CheckAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        using var held = locks.TryEnter(cluster.Ref);
        if (held is null)
        {
            return For(cluster, DecisionOutcome.Deferred, R.CheckRunning, "skipped: another rebalance check of this cluster is still running");
        }

        try
        {
            return await DecideAsync(cluster, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is { } forbidden)
        {
            return For(cluster, DecisionOutcome.Refused, ReasonCodes.Forbidden, forbidden.ForbiddenReason("by the rebalance check"));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.IsConflict())
        {
            return For(cluster, DecisionOutcome.Deferred, R.Conflict,
                $"skipped: the KafkaRebalance changed while the check decided, nothing was written; the next check decides on a fresh reading ({Cut(ex.ApiMessage())})");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return For(cluster, DecisionOutcome.Refused, R.CheckFailed, $"check failed: {Cut(ex.ApiMessage())}");
        }
    }

    private async Task<Decision> DecideAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        JsonObject kafka;
        try
        {
            kafka = await objects.GetAsync(Kafkas, cluster.Namespace, cluster.Name, cancellationToken);
        }
        catch (Exception ex) when (ex.StatusCode() == HttpStatusCode.NotFound)
        {
            return For(cluster, DecisionOutcome.Refused, R.ClusterNotFound, $"the Kafka {cluster.Ref} does not exist");
        }

        var name = NameFor(cluster);
        var rebalances = (await objects.ListAsync(KafkaRebalances, cluster.Namespace, $"{StrimziNames.ClusterLabel}={cluster.Name}", cancellationToken))
            .Select(KafkaRebalanceReading.From)
            .Where(r => r.Cluster == cluster.Name && !r.IsTemplate)
            .ToList();
        var own = rebalances.FirstOrDefault(r => r.Name == name);
        if (own is { IsOurs: false })
        {
            return For(cluster, DecisionOutcome.Refused, R.NameTaken,
                $"a KafkaRebalance {cluster.Namespace}/{name} exists that this app did not create (no {ManagedBy.Label}={ManagedBy.Value} label); the app never touches it: rename or delete it");
        }

        if (kafka["spec"]?["cruiseControl"] is null)
        {
            var deleted = own is null ? "" : await DeleteAsync(cluster, own, cancellationToken) ? $" (deleted this app's KafkaRebalance {name})" : "";
            return For(cluster, DecisionOutcome.Ignored, R.CruiseControlNotDeployed,
                $"Strimzi runs no Cruise Control for this cluster: the Kafka {cluster.Ref} has no spec.cruiseControl; add it to let the app rebalance{deleted}");
        }

        // The app's own rebalance is followed to its end whatever else happens: nothing of it waits on the guards.
        switch (own?.State)
        {
            case StrimziNames.RebalanceStates.Rebalancing:
                return Skip(cluster, R.RebalanceRunning, $"following this app's rebalance: KafkaRebalance {own.Describe()}");
            case StrimziNames.RebalanceStates.ReconciliationPaused:
                return Skip(cluster, R.ReconciliationPaused, $"Strimzi's reconciliation of KafkaRebalance {own.Name} is paused (strimzi.io/pause-reconciliation)");
            case StrimziNames.RebalanceStates.Ready:
                return await FinishAsync(cluster, own, cancellationToken);
            case StrimziNames.RebalanceStates.NotReady or StrimziNames.RebalanceStates.Stopped:
                return await FailAsync(cluster, own, cancellationToken);
        }

        if (await WhyNotNowAsync(cluster, kafka, rebalances, own, cancellationToken) is { } busy)
        {
            return busy;
        }

        if (own is null)
        {
            await objects.CreateAsync(KafkaRebalances, cluster.Namespace, NewRebalance(cluster, kafka), cancellationToken);
            return Skip(cluster, R.ProposalRequested, $"proposal requested: created KafkaRebalance {cluster.Namespace}/{name} (mode full, no auto-approval); Strimzi asks Cruise Control for it");
        }

        if (own.State != StrimziNames.RebalanceStates.ProposalReady)
        {
            return Skip(cluster, R.ProposalPending, $"waiting for Strimzi's proposal: KafkaRebalance {own.Describe()}");
        }

        return await JudgeAsync(cluster, own, cancellationToken);
    }

    /// <summary>Why no proposal may be asked for or approved now (Deferred), or null.</summary>
    private async Task<Decision?> WhyNotNowAsync(
        ManagedClusterOptions cluster, JsonObject kafka, IReadOnlyList<KafkaRebalanceReading> rebalances, KafkaRebalanceReading? own, CancellationToken cancellationToken)
    {
        var ready = (kafka["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == "Ready");
        if ((string?)ready?["status"] != "True")
        {
            var detail = ready is null ? "no Ready condition yet" : $"Ready is {Cut((string?)ready["status"])}: {Cut((string?)ready["reason"])} {Cut((string?)ready["message"])}".TrimEnd();
            return Skip(cluster, R.KafkaNotReady, $"the Kafka {cluster.Ref} is not Ready ({detail})");
        }

        var others = rebalances.Where(r => r != own && r.IsActive).ToList();
        if (others.Count > 0)
        {
            return Skip(cluster, R.OtherRebalanceRunning,
                $"another rebalance of the cluster is asked for or runs: KafkaRebalance {Cut(string.Join(", ", others.Select(o => o.Describe())))}");
        }

        if ((string?)kafka["status"]?["autoRebalance"]?["state"] is { } auto && auto != StrimziNames.AutoRebalanceIdle)
        {
            return Skip(cluster, R.AutoRebalanceRunning, $"Strimzi auto-rebalances the cluster (status.autoRebalance.state {Cut(auto)})");
        }

        var activity = await scaleActivity.GetAsync(cluster, cancellationToken);
        return activity.IsResting ? null : Skip(cluster, R.ClusterNotResting, $"the cluster is not resting: {activity.Reason ?? "scaling in progress"}");
    }

    /// <summary>ProposalReady: refresh a stale proposal, otherwise approve it when worth it or delete it.</summary>
    private async Task<Decision> JudgeAsync(ManagedClusterOptions cluster, KafkaRebalanceReading own, CancellationToken cancellationToken)
    {
        if (own.RebalanceAnnotation is { } pending)
        {
            // Strimzi removes the annotation when it acts on it; until then the action is pending, never repeated.
            return Skip(cluster, R.ApprovalPending, $"waiting for Strimzi to act on {StrimziNames.RebalanceAnnotation}={Cut(pending)} of KafkaRebalance {own.Describe()}");
        }

        var maxAge = options.Value.ProposalMaxAge;
        var age = own.Since is { } since ? time.GetUtcNow() - since : TimeSpan.MaxValue;
        var summary = own.Summary();
        if (summary is null || age > maxAge)
        {
            await AnnotateAsync(cluster, own, "refresh", cancellationToken);
            var why = summary is null ? "it has no optimizationResult"
                : own.Since is null ? "its state condition has no lastTransitionTime, so its age is unknown"
                : string.Create(CultureInfo.InvariantCulture, $"it is older than Rebalance__ProposalMaxAge ({maxAge})");
            return Skip(cluster, R.ProposalRefreshed, $"proposal refresh requested ({StrimziNames.RebalanceAnnotation}=refresh on KafkaRebalance {own.Describe()}): {why}");
        }

        // Strimzi's status carries the summary only, no goal statuses: the fixed-goal rule cannot apply, the rest does.
        var rebalance = policy.Decide(new OptimizationResult(summary, [], 0));
        if (!rebalance.Rebalance)
        {
            var deleted = await DeleteAsync(cluster, own, cancellationToken) ? "deleted" : "already gone";
            return For(cluster, DecisionOutcome.Ignored, R.NotWorthIt, $"no rebalance: {rebalance.Reason} (KafkaRebalance {own.Name} {deleted})");
        }

        if (options.Value.DryRun)
        {
            return Skip(cluster, ReasonCodes.DryRun, $"dry run (Rebalance__DryRun): would approve KafkaRebalance {own.Name}: {rebalance.Reason}");
        }

        await AnnotateAsync(cluster, own, "approve", cancellationToken);
        return For(cluster, DecisionOutcome.Acted, R.RebalanceApproved,
            $"rebalance approved ({StrimziNames.RebalanceAnnotation}=approve on KafkaRebalance {cluster.Namespace}/{own.Name}): {rebalance.Reason}");
    }

    /// <summary>Ready: the result is logged once, by the check whose delete succeeds.</summary>
    private async Task<Decision> FinishAsync(ManagedClusterOptions cluster, KafkaRebalanceReading own, CancellationToken cancellationToken)
    {
        var result = own.DescribeResult();
        if (!await DeleteAsync(cluster, own, cancellationToken))
        {
            return For(cluster, DecisionOutcome.Ignored, R.ResultAlreadyReported, $"KafkaRebalance {own.Name} finished and was deleted before this check could report it");
        }

        results.Report(cluster, $"KafkaRebalance {cluster.Namespace}/{own.Name}", $"Ready: {result}");
        return For(cluster, DecisionOutcome.Acted, R.RebalanceCompleted, $"rebalance finished (KafkaRebalance {own.Describe()}, deleted): {result}");
    }

    /// <summary>NotReady or Stopped: Strimzi's own words, cut; the resource is deleted so that the next check asks afresh.</summary>
    private async Task<Decision> FailAsync(ManagedClusterOptions cluster, KafkaRebalanceReading own, CancellationToken cancellationToken)
    {
        var why = $"{Cut(own.ConditionReason)}: {Cut(own.ConditionMessage)}".Trim(' ', ':');
        var code = own.State == StrimziNames.RebalanceStates.Stopped ? R.RebalanceStopped : R.RebalanceFailed;
        if (!await DeleteAsync(cluster, own, cancellationToken))
        {
            return For(cluster, DecisionOutcome.Ignored, R.ResultAlreadyReported, $"KafkaRebalance {own.Name} ended {own.State} and was deleted before this check could report it");
        }

        results.Report(cluster, $"KafkaRebalance {cluster.Namespace}/{own.Name}", $"{own.State}: {why}");
        return For(cluster, DecisionOutcome.Refused, code,
            $"Strimzi reports KafkaRebalance {own.Describe()}: {(why.Length == 0 ? "no message" : why)}; deleted, the next check asks for a new proposal");
    }

    /// <summary>Sets <c>strimzi.io/rebalance</c> with a JSON Patch preconditioned on the version read: a stale reading writes nothing (409).</summary>
    private async Task AnnotateAsync(ManagedClusterOptions cluster, KafkaRebalanceReading own, string action, CancellationToken cancellationToken)
    {
        // The whole map, so the patch applies whether or not the object has annotations (an "add" of a key under a
        // missing map would be a 422, not a conflict).
        var annotations = own.Annotations?.DeepClone().AsObject() ?? [];
        annotations[StrimziNames.RebalanceAnnotation] = action;
        var patch = new ResourcePatch(own.ResourceVersion);
        patch.Add("/metadata/annotations", annotations);
        await objects.PatchAsync(KafkaRebalances, cluster.Namespace, own.Name, patch.ToJson(), cancellationToken);
    }

    /// <summary>Deletes the app's KafkaRebalance; false when it was already gone.</summary>
    private async Task<bool> DeleteAsync(ManagedClusterOptions cluster, KafkaRebalanceReading own, CancellationToken cancellationToken)
    {
        try
        {
            await objects.DeleteAsync(KafkaRebalances, cluster.Namespace, own.Name, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex.StatusCode() == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static JsonObject NewRebalance(ManagedClusterOptions cluster, JsonObject kafka)
    {
        var spec = new JsonObject { ["mode"] = StrimziNames.RebalanceModes.Full };
        if (cluster.CruiseControl.GoalList is { Count: > 0 } goals)
        {
            spec["goals"] = new JsonArray([.. goals.Select(g => JsonValue.Create(g))]);
        }

        return new JsonObject
        {
            ["apiVersion"] = $"{StrimziNames.Group}/{StrimziNames.Version}",
            ["kind"] = KafkaRebalances.Kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = NameFor(cluster),
                ["namespace"] = cluster.Namespace,
                ["labels"] = new JsonObject
                {
                    [StrimziNames.ClusterLabel] = cluster.Name,
                    [ManagedBy.Label] = ManagedBy.Value,
                },
                // Goes with the Kafka when it is deleted.
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = $"{StrimziNames.Group}/{StrimziNames.Version}",
                    ["kind"] = Kafkas.Kind,
                    ["name"] = cluster.Name,
                    ["uid"] = (string?)kafka["metadata"]?["uid"],
                }),
            },
            ["spec"] = spec,
        };
    }

    private static string Cut(string? text) => Excerpt.Text(text, MaxMessageLength);

    private static Decision Skip(ManagedClusterOptions cluster, string code, string reason) =>
        For(cluster, DecisionOutcome.Deferred, code, $"skipped: {reason}");

    private static Decision For(ManagedClusterOptions cluster, DecisionOutcome outcome, string code, string reason) =>
        new(RebalanceCheck.Stage, cluster.Ref.ToString(), "rebalance", [], outcome, $"{code}: {reason}") { ReasonCode = code };
}
