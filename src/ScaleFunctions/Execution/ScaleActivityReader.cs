using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Koperator;

namespace ScaleFunctions.Execution;

/// <summary>
/// <see cref="IScaleActivity"/> from the KafkaCluster: scaling in progress when its state is not Running, graceful
/// actions pending from its brokersState, in cooldown while any of <see cref="ScaleGuards.Holds"/> (cooldowns, flap
/// guard, settle window) would hold some command.
/// </summary>
public sealed class ScaleActivityReader(KafkaClusterClient clusters, IOptions<ExecutorOptions> options, TimeProvider time) : IScaleActivity
{
    public async Task<ScaleActivity> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var resource = await clusters.GetAsync(cluster, cancellationToken);
        var settings = options.Value;
        var now = time.GetUtcNow();
        var guard = GuardState.Read(resource);
        var reasons = new List<string>();

        var scaling = !string.Equals(resource.State, KafkaClusterResource.RunningState, StringComparison.Ordinal);
        if (scaling)
        {
            reasons.Add($"status.state is {resource.State ?? "not set"}");
        }

        var pending = GracefulActions.Describe(resource);
        if (pending is not null)
        {
            reasons.Add($"graceful actions pending: {pending}");
        }

        var guards = new ScaleGuards(settings);
        var hold = Enum.GetValues<ScaleCommandKind>().Select(kind => guards.LongestHold(guard, kind, now)).OfType<Hold>().MaxBy(h => h.Until);
        if (hold is not null)
        {
            reasons.Add($"{hold.Code}: {hold.Why} until {ScaleGuards.Format(hold.Until)} (last action: {guard.LastAction ?? "see the cluster's annotations"})");
        }

        return new ScaleActivity(scaling, hold is not null, pending is not null, reasons.Count == 0 ? null : string.Join("; ", reasons));
    }
}
