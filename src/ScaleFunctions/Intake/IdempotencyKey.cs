using System.Security.Cryptography;
using System.Text;
using ScaleFunctions.Commands;

namespace ScaleFunctions.Intake;

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
        foreach (var key in sortedKeys)
        {
            text.Append(key).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
