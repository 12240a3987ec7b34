using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// Folds the command requests of one webhook into at most one <see cref="ScaleCommand"/> per (cluster, command, target):
/// six upScale alerts for one cluster are one upScale, not six brokers. The alerts are listed once each, sorted by key;
/// when they disagree on parameters, those of the first alert in that order are used, and the command says so.
/// A command lists at most <see cref="ScaleCommand.MaxAlerts"/> of its alerts (the first by key, names cut to an
/// <see cref="Excerpt"/>) and counts all of them, so that it always fits in a queue message; its idempotency key
/// covers every alert.
/// </summary>
public sealed class CommandCoalescer(TimeProvider time, IOptions<IntakeOptions> options)
{
    public IReadOnlyList<CoalescedCommand> Coalesce(IEnumerable<CommandRequest> requests)
    {
        var createdAt = time.GetUtcNow();
        return requests
            .GroupBy(r => (r.Cluster, r.Kind, r.Target))
            .Select(group =>
            {
                // Each alert's key once (it is formatted text), distinct and sorted once.
                var keyed = group.Select(r => (Request: r, r.Alert.Key)).DistinctBy(k => k.Key).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
                var ordered = keyed.Select(k => k.Request).ToList();
                var alerts = ordered.Select(r => r.Alert).ToList();
                var command = new ScaleCommand
                {
                    IdempotencyKey = IdempotencyKey.FromSortedKeys(group.Key.Cluster, group.Key.Kind, group.Key.Target, keyed.Select(k => k.Key)),
                    Command = group.Key.Kind,
                    Cluster = group.Key.Cluster,
                    Target = group.Key.Target,
                    Parameters = ordered[0].Parameters,
                    Alerts = [.. alerts.Take(ScaleCommand.MaxAlerts).Select(a => a with { AlertName = Excerpt.Of(a.AlertName) })],
                    AlertCount = alerts.Count,
                    CreatedAt = createdAt,
                    ExpiresAt = createdAt + options.Value.CommandTtl,
                };
                var disagree = ordered.Skip(1).Any(r => !SameParameters(r.Parameters, ordered[0].Parameters));
                return new CoalescedCommand(command, disagree);
            })
            .OrderBy(c => c.Command.Cluster.ToString(), StringComparer.Ordinal)
            .ThenBy(c => c.Command.IdempotencyKey, StringComparer.Ordinal)
            .ToList();
    }

    // Equal records (no annotations, or the same map) are the common case: no copies, no sorting.
    private static bool SameParameters(ScaleParameters a, ScaleParameters b) =>
        a == b || a with { BrokerAnnotations = null } == b with { BrokerAnnotations = null } &&
        (a.BrokerAnnotations ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SequenceEqual((b.BrokerAnnotations ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal));
}

/// <summary>A command and whether its alerts disagreed on parameters (the first alert's were used).</summary>
public sealed record CoalescedCommand(ScaleCommand Command, bool ParametersDisagreed);

/// <summary>
/// A command's idempotency key: the first 32 hex digits of SHA-256 over the cluster, the command, the target and the
/// sorted, distinct <see cref="AlertRef.Key"/>s (fingerprint and start time) of the alerts behind it. Resends,
/// HA-peer duplicates and retries carry the same alerts, so they produce the same key, in any order.
/// </summary>
public static class IdempotencyKey
{
    public static string Compute(ClusterRef cluster, ScaleCommandKind kind, ScaleTarget target, IEnumerable<AlertRef> alerts) =>
        FromSortedKeys(cluster, kind, target, alerts.Select(a => a.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>The same key from the alerts' <see cref="AlertRef.Key"/>s, already distinct and in ordinal order.</summary>
    public static string FromSortedKeys(ClusterRef cluster, ScaleCommandKind kind, ScaleTarget target, IEnumerable<string> sortedKeys)
    {
        var text = new StringBuilder("scalefunctions.command/v1\n")
            .Append(cluster.Namespace).Append('/').Append(cluster.Name).Append('\n')
            .Append(ScaleCommandNames.Of(kind)).Append('\n')
            .Append(target.BrokerId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").Append('\n')
            .Append(target.PersistentVolumeClaim ?? "").Append('\n');
        if (target.NodePool is { } pool)
        {
            text.Append("pool ").Append(pool).Append('\n'); // only Strimzi targets have one: Koperator keys stay as they were
        }

        foreach (var key in sortedKeys)
        {
            text.Append(key).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
