namespace ScaleFunctions.Commands;

/// <summary>
/// The alert instance behind a command: Alertmanager's fingerprint (a hash of the label set) and the time the alert
/// started firing. Together they name one firing episode of one alert, stable across resends and HA peers.
/// </summary>
public sealed record AlertRef(string Fingerprint, string AlertName, DateTimeOffset StartsAt)
{
    /// <summary>The key of this firing episode: <c>fingerprint@startsAt</c> (UTC, round-trip format).</summary>
    // "O" of a UTC DateTime is yyyy-MM-ddTHH:mm:ss.fffffffZ, the same text, on the runtime's fast path (a custom format
    // string is parsed on every call, and intake computes a key several times per alert).
    public string Key => $"{Fingerprint}@{StartsAt.UtcDateTime:O}";
}
