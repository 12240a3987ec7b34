namespace ScaleFunctions.Intake;

/// <summary>The two bodies the intake takes; both are read into the same <see cref="AlertmanagerWebhook"/>.</summary>
public enum AlertFormat
{
    /// <summary>An Alertmanager <c>webhook_configs</c> notification: a JSON object with <c>alerts</c>.</summary>
    Webhook,

    /// <summary>What Prometheus posts to an Alertmanager (<c>POST /api/v2/alerts</c>): a JSON array of <c>postableAlert</c>s.</summary>
    Pushed,
}

/// <summary>
/// Alerts as Prometheus pushes them to an Alertmanager (API v2 <c>postableAlert</c>: <c>labels</c>, <c>annotations</c>,
/// <c>startsAt</c>, <c>endsAt</c>, <c>generatorURL</c>), made into the model a webhook gives: each alert gets the status
/// and the fingerprint Alertmanager would give it. A <c>status</c> or <c>fingerprint</c> in the body is not part of the
/// format and is overwritten, as Alertmanager ignores them: the fingerprint is always computed from the labels.
/// </summary>
public static class PushedAlerts
{
    /// <summary>
    /// <c>resolved</c> when <c>endsAt</c> is set and not later than <paramref name="receivedAt"/> plus
    /// <paramref name="clockSkew"/>, otherwise <c>firing</c>. Prometheus sends a firing alert with <c>endsAt</c> four
    /// times max(resend delay, evaluation interval) ahead (4 minutes by default) and a resolved one with <c>endsAt</c>
    /// at the evaluation that resolved it, so the allowance lets a resolution count as one even when the receiver's
    /// clock runs behind the sender's by up to <paramref name="clockSkew"/> (see docs/prometheus.md).
    /// </summary>
    public static string StatusOf(DateTimeOffset? endsAt, DateTimeOffset receivedAt, TimeSpan clockSkew) =>
        endsAt is { } end && end != default && end <= receivedAt + clockSkew ? "resolved" : "firing";

    public static AlertmanagerWebhook Envelope(IReadOnlyList<Alert?> alerts, DateTimeOffset receivedAt, TimeSpan clockSkew) => new()
    {
        Format = AlertFormat.Pushed,
        Alerts = [.. alerts.Select(a => a is null ? null : a with
        {
            Status = StatusOf(a.EndsAt, receivedAt, clockSkew),
            Fingerprint = AlertFingerprint.Of(a.Labels),
        })],
    };
}
