using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Koperator;

namespace ScaleFunctions.Execution;

/// <summary>
/// <see cref="IScaleActivity"/> from the KafkaCluster: scaling in progress when its state is not Running, graceful
/// actions pending from its brokersState, cooldown from the executor's guard annotations and cooldown settings.
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

        var upCooling = guard.LastScaleUp + settings.ScaleUpCooldown > now;
        var downCooling = guard.LastScaleDown + settings.ScaleDownCooldown > now;
        if (upCooling || downCooling)
        {
            reasons.Add($"cooling down after {guard.LastAction}");
        }

        return new ScaleActivity(scaling, upCooling || downCooling, pending is not null, reasons.Count == 0 ? null : string.Join("; ", reasons));
    }
}
