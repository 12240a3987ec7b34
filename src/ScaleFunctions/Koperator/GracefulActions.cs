namespace ScaleFunctions.Koperator;

/// <summary>
/// Koperator's graceful actions (Cruise Control tasks it runs for a broker or a volume): a state ending in
/// <c>Required</c>, <c>Scheduled</c> or <c>Running</c> is pending or running; <c>Succeeded</c>, <c>CompletedWithError</c>
/// and <c>Paused</c> are not.
/// </summary>
public static class GracefulActions
{
    public static bool IsPending(string? state) =>
        state is not null && (state.EndsWith("Required", StringComparison.Ordinal)
            || state.EndsWith("Scheduled", StringComparison.Ordinal)
            || state.EndsWith("Running", StringComparison.Ordinal));

    /// <summary>A broker being removed: its downscale is pending or running.</summary>
    public static bool IsDraining(string? state) =>
        IsPending(state) && state!.StartsWith("GracefulDownscale", StringComparison.Ordinal);

    /// <summary>"broker 3 GracefulUpscaleRunning, broker 1 volume /kafka-logs GracefulDiskRebalanceScheduled", or null when none.</summary>
    public static string? Describe(KafkaClusterResource cluster)
    {
        var pending = cluster.BrokerStates
            .SelectMany(b => (IsPending(b.CruiseControlState) ? [$"broker {b.BrokerId} {b.CruiseControlState}"] : Array.Empty<string>())
                .Concat(b.VolumeStates.Where(v => IsPending(v.State)).Select(v => $"broker {b.BrokerId} volume {v.MountPath} {v.State}")))
            .ToList();
        return pending.Count == 0 ? null : string.Join(", ", pending);
    }

    public static bool IsDraining(KafkaClusterResource cluster, int brokerId) =>
        cluster.BrokerStates.Any(b => b.BrokerId == brokerId.ToString(System.Globalization.CultureInfo.InvariantCulture) && IsDraining(b.CruiseControlState));
}
