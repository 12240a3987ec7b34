using System.Globalization;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;

namespace ScaleFunctions.Execution;

/// <summary>
/// The executor's decision rules, pure: a <see cref="ClusterReading"/> and the adapter's <see cref="ClusterPlan"/> for
/// a command give a <see cref="ScaleDecision"/>, the checks in a fixed order so that permanent refusals win over
/// deferrals (docs/executor.md, "Order of checks"; <see cref="SecondOpinion"/> is the last).
/// </summary>
public sealed class ScaleGuards(ExecutorOptions options)
{
    public ScaleDecision Decide(ScaleCommand command, ManagedClusterOptions managed, ClusterReading cluster, ClusterPlan plan, DateTimeOffset now)
    {
        var guard = cluster.Guard;
        if (guard.RecentCommands.Contains(command.IdempotencyKey, StringComparer.Ordinal))
        {
            return ScaleDecision.Ignore(ReasonCodes.Replay, $"command {command.IdempotencyKey} was already applied ({guard.LastAction ?? "see the cluster's annotations"})");
        }

        if (command.Alerts.FirstOrDefault(a => guard.RecentAlerts.Contains(a.Key, StringComparer.Ordinal)) is { } actedOn)
        {
            return ScaleDecision.Ignore(ReasonCodes.AlertAlreadyActedOn, $"alert {actedOn.AlertName} {actedOn.Key} was already acted on");
        }

        if (Superseded(command, guard) is { } superseded)
        {
            return superseded;
        }

        if (Limits(command, managed, cluster) is { } limit)
        {
            return limit;
        }

        if (plan.RefusalCode is { } code)
        {
            return ScaleDecision.Refuse(code, plan.Summary);
        }

        if (plan.AlreadyApplied)
        {
            return ScaleDecision.Ignore(plan.IgnoreCode, plan.Summary);
        }

        if (plan.WaitCode is { } wait)
        {
            return ScaleDecision.Defer(wait, plan.Summary, options.DeferralDelay);
        }

        if (Busy(cluster, command.IdempotencyKey) is { } busy)
        {
            return busy;
        }

        if (Held(command, guard, now) is { } held)
        {
            return held;
        }

        if (plan.PrepareCode is { } prepare)
        {
            return ScaleDecision.Prepare(prepare, plan.Summary, options.DeferralDelay);
        }

        var scaleUp = command.Command != ScaleCommandKind.DownScale;
        var action = $"{command.Command} at {Format(now)}: {plan.Summary} (command {command.IdempotencyKey})";
        var after = guard.After(scaleUp, ChangesBrokerCount(command.Command), now, action, command.IdempotencyKey, command.Alerts.Select(a => a.Key), options.RecentKeyLimit);
        return ScaleDecision.Act(after, plan.Summary);
    }

    /// <summary>
    /// The last step before an upScale or downScale acts: Cruise Control's capacity opinion, read once for this command
    /// (null when it was not asked: mode Off, or no Cruise Control configured). Advise records it in the reason;
    /// Enforce also refuses a downScale while Cruise Control says UNDER_PROVISIONED, and defers one while Cruise Control
    /// cannot say. No opinion (an older Cruise Control) is advice only. Pure; an upScale is never held back by it.
    /// </summary>
    public ScaleDecision SecondOpinion(ScaleCommand command, ScaleDecision decision, CapacityOpinion? opinion, CapacityOpinionMode mode)
    {
        if (opinion is null || mode == CapacityOpinionMode.Off || !decision.SendsPatch || !ChangesBrokerCount(command.Command))
        {
            return decision;
        }

        if (mode == CapacityOpinionMode.Enforce && command.Command == ScaleCommandKind.DownScale)
        {
            if (opinion.IsUnderProvisioned)
            {
                return ScaleDecision.Refuse(ReasonCodes.CruiseControlUnderProvisioned,
                    $"{opinion.Describe()}; the downScale ({decision.Reason}) is refused (CruiseControl:CapacityOpinion Enforce)");
            }

            if (!opinion.IsAvailable)
            {
                return ScaleDecision.Defer(ReasonCodes.CruiseControlUnavailable,
                    $"{opinion.Describe()}; downScale waits until Cruise Control can say (CruiseControl:CapacityOpinion Enforce)", options.DeferralDelay);
            }
        }

        return decision with { Reason = $"{decision.Reason}; {opinion.Describe()}" };
    }

    /// <summary>upScale and downScale change the broker count; addPvc and resizePvc change one broker's volumes.</summary>
    public static bool ChangesBrokerCount(ScaleCommandKind kind) => kind is ScaleCommandKind.UpScale or ScaleCommandKind.DownScale;

    /// <summary>
    /// A broker-count command created at or before the last broker-count change was decided on a cluster that no longer
    /// exists (two alert groups asking for one more broker must not add two). The annotation has whole seconds, so a
    /// command created in the same second as the change counts as older.
    /// </summary>
    private static ScaleDecision? Superseded(ScaleCommand command, GuardState guard)
    {
        if (!ChangesBrokerCount(command.Command) || guard.LastBrokerCountChange is not { } changed)
        {
            return null;
        }

        var created = command.CreatedAt.AddTicks(-(command.CreatedAt.UtcTicks % TimeSpan.TicksPerSecond));
        return created <= changed
            ? ScaleDecision.Ignore(ReasonCodes.Superseded, $"created at {Format(command.CreatedAt)}, before the broker count last changed at {Format(changed)} ({guard.LastAction ?? "see the cluster's annotations"}); dropped, an alert that still fires sends a new command")
            : null;
    }

    /// <summary>
    /// Busy: the first reason the adapter read (not ready, an operator action pending) that is not
    /// <paramref name="commandKey"/>'s own multi-step action. Null when resting.
    /// </summary>
    public ScaleDecision? Busy(ClusterReading cluster, string? commandKey = null) =>
        cluster.Busy.FirstOrDefault(b => b.OwnedBy is null || !string.Equals(b.OwnedBy, commandKey, StringComparison.Ordinal)) is { } busy
            ? ScaleDecision.Defer(busy.Code, busy.Reason, options.DeferralDelay)
            : null;

    private static ScaleDecision? Limits(ScaleCommand command, ManagedClusterOptions managed, ClusterReading cluster)
    {
        var count = cluster.BrokerCount;
        return command.Command switch
        {
            ScaleCommandKind.UpScale when count + 1 > managed.MaxBrokers =>
                ScaleDecision.Refuse(ReasonCodes.MaxBrokers, $"the cluster has {count} brokers; one more would exceed MaxBrokers {managed.MaxBrokers}"),
            ScaleCommandKind.UpScale when cluster.UpScaleLimit is { } limit && count >= limit.Brokers =>
                ScaleDecision.Refuse(ReasonCodes.UpScaleLimit, $"the cluster has {count} brokers, at or above {limit.Field} {limit.Brokers}"),
            ScaleCommandKind.DownScale when count - 1 < managed.MinBrokers =>
                ScaleDecision.Refuse(ReasonCodes.MinBrokers, $"the cluster has {count} brokers; one fewer would go below MinBrokers {managed.MinBrokers}"),
            ScaleCommandKind.DownScale when cluster.DownScaleLimit is { } limit && count <= limit.Brokers =>
                ScaleDecision.Refuse(ReasonCodes.DownScaleLimit, $"the cluster has {count} brokers, at or below {limit.Field} {limit.Brokers}"),
            _ => null,
        };
    }

    /// <summary>
    /// The holds a command of <paramref name="kind"/> is subject to after the executor's own last actions — the one
    /// place cooldowns, the flap guard and the settle window are computed (<see cref="ScaleActivityReader"/> reads them
    /// too). The settle window: after every broker-count change, upScale and downScale wait, because the change moves
    /// data and the move fires alerts (under-replication, partition counts) that are about the move, not the load;
    /// waiting lets those alerts resolve and cancel their commands, while a command whose alert still fires acts after.
    /// </summary>
    public IEnumerable<Hold> Holds(GuardState guard, ScaleCommandKind kind)
    {
        if (kind == ScaleCommandKind.DownScale)
        {
            if (guard.LastScaleDown is { } down)
            {
                yield return new Hold(ReasonCodes.ScaleDownCooldown, down + options.ScaleDownCooldown, "cooling down after the last scale-down");
            }

            if (guard.LastAnyAction is { } any)
            {
                yield return new Hold(ReasonCodes.FlapGuard, any + options.FlapWindow, "cooling down after the last scale action (flap guard)");
            }
        }
        else if (guard.LastScaleUp is { } up)
        {
            yield return new Hold(ReasonCodes.ScaleUpCooldown, up + options.ScaleUpCooldown, "cooling down after the last scale-up");
        }

        if (ChangesBrokerCount(kind) && guard.LastBrokerCountChange is { } changed)
        {
            yield return new Hold(ReasonCodes.SettleWindow, changed + options.SettleWindow,
                $"settling after the broker count changed at {Format(changed)} (alerts caused by the data movement get time to resolve and cancel their commands)");
        }
    }

    /// <summary>The hold that keeps a command of <paramref name="kind"/> waiting longest at <paramref name="now"/>; null when none does.</summary>
    public Hold? LongestHold(GuardState guard, ScaleCommandKind kind, DateTimeOffset now) =>
        Holds(guard, kind).Where(h => h.Until > now).MaxBy(h => h.Until);

    private ScaleDecision? Held(ScaleCommand command, GuardState guard, DateTimeOffset now)
    {
        if (LongestHold(guard, command.Command, now) is not { } hold)
        {
            return null;
        }

        if (hold.Until >= command.ExpiresAt)
        {
            return ScaleDecision.Refuse(hold.Code, $"{hold.Why} until {Format(hold.Until)}, after the command expires");
        }

        // Exactly the rest of the hold, not a whole DeferralDelay: a command the queue hands back a moment early then
        // waits only for that moment.
        return ScaleDecision.Defer(hold.Code, $"{hold.Why} until {Format(hold.Until)}", hold.Until - now);
    }

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>A wait after the executor's own actions: the guard (a reason code), when it ends, and why (a phrase).</summary>
public sealed record Hold(string Code, DateTimeOffset Until, string Why);
