using System.Text;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// What Cruise Control says about a cluster's size, read once per command before an upScale or downScale: the
/// <c>provisionStatus</c> of its proposals (UNDER_PROVISIONED, RIGHT_SIZED, OVER_PROVISIONED, UNDECIDED) with its
/// recommendation; no opinion (a Cruise Control older than 2.5.29 does not report one); or unavailable (why).
/// A fact for the executor's <c>ScaleGuards.SecondOpinion</c>; docs/executor.md says how each is used.
/// </summary>
public sealed record CapacityOpinion
{
    public const string UnderProvisioned = "UNDER_PROVISIONED";
    public const string RightSized = "RIGHT_SIZED";
    public const string OverProvisioned = "OVER_PROVISIONED";
    public const string Undecided = "UNDECIDED";

    /// <summary>Longest recommendation or error kept for a reason (Cruise Control's own text: printable, cut).</summary>
    public const int MaxDetail = 300;

    private CapacityOpinion(string? status, string? detail, bool available)
    {
        Status = status;
        Detail = detail;
        IsAvailable = available;
    }

    /// <summary>Cruise Control's <c>provisionStatus</c>, as it spells it; null when it reported none or could not be asked.</summary>
    public string? Status { get; }

    /// <summary>The recommendation (reported) or why there is no answer (unavailable); null when there is nothing to add.</summary>
    public string? Detail { get; }

    /// <summary>False when Cruise Control could not be asked or could not answer.</summary>
    public bool IsAvailable { get; }

    public bool IsUnderProvisioned => string.Equals(Status, UnderProvisioned, StringComparison.Ordinal);

    public static CapacityOpinion Reported(string status, string? recommendation) =>
        new(Cut(status), string.IsNullOrWhiteSpace(recommendation) ? null : Cut(recommendation), available: true);

    /// <summary>Cruise Control answered without a <c>provisionStatus</c> (older than 2.5.29).</summary>
    public static CapacityOpinion NotReported { get; } = new(null, null, available: true);

    public static CapacityOpinion Unavailable(string why) => new(null, Cut(why), available: false);

    /// <summary>The opinion as a phrase for a decision's reason.</summary>
    public string Describe() => (IsAvailable, Status) switch
    {
        (false, _) => $"Cruise Control's capacity opinion is unavailable ({Detail})",
        (true, null) => "Cruise Control gives no capacity opinion (its proposals carry no provisionStatus; Cruise Control 2.5.29 or later reports one)",
        _ => $"Cruise Control says the cluster is {Status}{(Detail is null ? "" : $" ({Detail})")}",
    };

    private static string Cut(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxDetail) + 1);
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, MaxDetail)))
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return text.Length > MaxDetail ? builder.Append('…').ToString() : builder.ToString();
    }
}
