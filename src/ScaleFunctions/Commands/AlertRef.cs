namespace ScaleFunctions.Commands;

/// <summary>
/// The alert instance behind a command: Alertmanager's fingerprint (a hash of the label set) and the time the alert
/// started firing. Together they name one firing episode of one alert, stable across resends and HA peers.
/// </summary>
public sealed record AlertRef(string Fingerprint, string AlertName, DateTimeOffset StartsAt)
{
    /// <summary>The key of this firing episode: <c>fingerprint@startsAt</c> (UTC, round-trip format).</summary>
    public string Key => $"{Fingerprint}@{StartsAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}";
}
