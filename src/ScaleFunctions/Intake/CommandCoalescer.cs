using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// Folds one webhook's command requests into at most one command per cluster, command and target: six upScale alerts
/// are one upScale, not six brokers. A command always fits in a queue message (it lists at most
/// <see cref="ScaleCommand.MaxAlerts"/> alerts and counts all), and its key covers every alert (docs/intake.md#coalescing-and-idempotency).
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
                var keyed = DistinctByKey(group);
                var ordered = keyed.Select(k => k.Request).ToList();
                var alerts = ordered.Select(r => r.Alert).ToList();
                var command = new ScaleCommand
                {
                    IdempotencyKey = IdempotencyKey.FromSortedKeys(group.Key.Cluster, group.Key.Kind, group.Key.Target, keyed.Select(k => k.Key)),
                    Command = group.Key.Kind,
                    Cluster = group.Key.Cluster,
                    Target = group.Key.Target,
                    Parameters = ordered[0].Parameters,
                    Alerts = [.. alerts.Take(ScaleCommand.MaxAlerts).Select(a => Excerpt.Of(a.AlertName) is var name && name == a.AlertName ? a : a with { AlertName = name })],
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

    // Each alert's key computed once (it is formatted text), sorted stably, then each key kept once: of equal keys
    // the first alert sent is kept, as DistinctBy would, without hashing every key into a set.
    private static List<(CommandRequest Request, string Key)> DistinctByKey(IEnumerable<CommandRequest> requests)
    {
        var sorted = requests.Select(r => (Request: r, r.Alert.Key)).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
        var distinct = new List<(CommandRequest Request, string Key)>(sorted.Count);
        foreach (var item in sorted)
        {
            if (distinct.Count == 0 || !string.Equals(distinct[^1].Key, item.Key, StringComparison.Ordinal))
            {
                distinct.Add(item);
            }
        }

        return distinct;
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
        // The text is written as UTF-8 into one buffer and hashed there: an alert storm's keys are not first built
        // into a string. Every part ends with a separator, so encoding part by part gives the bytes of the whole text.
        var text = new ArrayBufferWriter<byte>(128 + (sortedKeys.TryGetNonEnumeratedCount(out var count) ? count * TypicalKeyBytes : 0));
        text.Write("scalefunctions.command/v1\n"u8);
        Encoding.UTF8.GetBytes(cluster.Namespace, text);
        text.Write("/"u8);
        Line(text, cluster.Name);
        Line(text, ScaleCommandNames.Of(kind));
        Line(text, target.BrokerId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(text, target.PersistentVolumeClaim);
        if (target.NodePool is { } pool)
        {
            text.Write("pool "u8); // only Strimzi targets have one: Koperator keys stay as they were
            Line(text, pool);
        }

        foreach (var key in sortedKeys)
        {
            Line(text, key);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text.WrittenSpan, digest);
        return Convert.ToHexStringLower(digest[..16]);
    }

    // fingerprint@yyyy-MM-ddTHH:mm:ss.fffffffZ and a newline.
    private const int TypicalKeyBytes = 46;

    private static void Line(ArrayBufferWriter<byte> text, string? value)
    {
        Encoding.UTF8.GetBytes(value ?? "", text);
        text.Write("\n"u8);
    }
}
