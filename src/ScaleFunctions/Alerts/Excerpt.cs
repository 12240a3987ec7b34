using System.Text;

namespace ScaleFunctions.Alerts;

/// <summary>
/// A short, printable excerpt of a value taken from a request, safe to put in a reason, a log line or a response:
/// at most 64 characters, anything outside printable ASCII replaced by <c>?</c>.
/// </summary>
public static class Excerpt
{
    public const int MaxLength = 64;

    public static string Of(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var builder = new StringBuilder(Math.Min(value.Length, MaxLength) + 1);
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxLength)))
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        if (value.Length > MaxLength)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
