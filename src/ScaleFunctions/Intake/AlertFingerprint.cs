using System.Globalization;
using System.Text;

namespace ScaleFunctions.Intake;

/// <summary>
/// Alertmanager's fingerprint of a label set, for senders that leave <c>fingerprint</c> empty: 64-bit FNV-1a over the
/// label names in ordinal order, each name and value followed by the byte 0xFF, written as 16 lower-case hex digits.
/// That is how Prometheus' label sets are fingerprinted, so a derived fingerprint equals the one Alertmanager would send.
/// </summary>
public static class AlertFingerprint
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;
    private const byte Separator = 0xFF;

    public static string Of(IReadOnlyDictionary<string, string> labels)
    {
        var hash = OffsetBasis;
        foreach (var name in labels.Keys.Order(StringComparer.Ordinal))
        {
            hash = Add(hash, name);
            hash = Add(hash, labels[name]);
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static ulong Add(ulong hash, string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * Prime;
        }

        return (hash ^ Separator) * Prime;
    }
}
