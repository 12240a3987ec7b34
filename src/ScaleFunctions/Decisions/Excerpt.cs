using System.Globalization;
using System.Text;

namespace ScaleFunctions.Decisions;

/// <summary>
/// Values taken from a request, made safe to put in a reason, a log line or a response. <see cref="Of"/>: a short
/// excerpt, at most 64 characters, anything outside printable ASCII replaced by <c>?</c>. <see cref="Text"/>: longer
/// text cut to a length, with control and format characters (newlines, NUL, escape, bidi overrides, line separators)
/// replaced by <c>?</c>, so that no value can start a line of its own or hide what follows.
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

        // Already short and printable ASCII (an alert name, a fingerprint): the value is its own excerpt.
        if (value.Length <= MaxLength && !value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return value;
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

    /// <summary>At most <paramref name="maxLength"/> characters (and <c>…</c> when cut), no control or format characters.</summary>
    public static string Text(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var length = Math.Min(value.Length, maxLength);
        var builder = new StringBuilder(length + 1);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                if (i + 1 < length)
                {
                    builder.Append(c).Append(value[++i]);
                }

                continue;
            }

            var category = char.GetUnicodeCategory(c);
            builder.Append(category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned ? '?' : c);
        }

        if (value.Length > length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
