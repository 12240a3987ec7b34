using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Execution;

/// <summary>
/// Whether a cluster is moving or resting, read from the cluster resource: the executor's guard state (last actions,
/// cooldowns) and the operator's own status (graceful actions pending). The rebalance check uses it to stay out of the way.
/// </summary>
public interface IScaleActivity
{
    Task<ScaleActivity> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken);
}

/// <summary>A cluster's activity. <see cref="Reason"/> says why it is not resting (null when it is).</summary>
public sealed record ScaleActivity(bool ScalingInProgress, bool InCooldown, bool GracefulActionsPending, string? Reason)
{
    public bool IsResting => !ScalingInProgress && !InCooldown && !GracefulActionsPending;
}

/// <summary>
/// <see cref="IScaleActivity"/> from one reading of the cluster resource (its kind's <see cref="IClusterAdapter"/>):
/// scaling in progress while the operator is not ready, operator actions pending, in cooldown while any of
/// <see cref="ScaleGuards.Holds"/> (cooldowns, flap guard, settle window) would hold some command.
/// </summary>
public sealed class ScaleActivityReader(IEnumerable<IClusterAdapter> adapters, IOptions<ExecutorOptions> options, TimeProvider time) : IScaleActivity
{
    public async Task<ScaleActivity> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var reading = await adapters.ReadAsync(cluster, cancellationToken);
        var settings = options.Value;
        var now = time.GetUtcNow();
        var guard = reading.Guard;
        // Partitions moved by a rebalance are the rebalance check's own business (it looks at them itself, and its own
        // proposal must not hold itself up); only scaling counts here.
        var busy = reading.Busy.Where(b => !ReasonCodes.Rebalancing.Contains(b.Code)).ToList();
        var reasons = busy.Select(b => b.Reason).ToList();
        var scaling = busy.Any(b => ReasonCodes.Scaling.Contains(b.Code));
        var pending = busy.Any(b => !ReasonCodes.Scaling.Contains(b.Code));

        var guards = new ScaleGuards(settings);
        var hold = Enum.GetValues<ScaleCommandKind>().Select(kind => guards.LongestHold(guard, kind, now)).OfType<Hold>().MaxBy(h => h.Until);
        if (hold is not null)
        {
            reasons.Add($"{hold.Code}: {hold.Why} until {ScaleGuards.Format(hold.Until)} (last action: {guard.LastAction ?? "see the cluster's annotations"})");
        }

        return new ScaleActivity(scaling, hold is not null, pending, reasons.Count == 0 ? null : string.Join("; ", reasons));
    }
}
