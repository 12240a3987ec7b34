using System.Globalization;
using System.Text.Json;

namespace ScaleFunctions.Execution;

/// <summary>
/// The executor's memory, kept in annotations on the cluster resource itself and written in the same update as the
/// spec change (so it can never disagree with the spec): when it last scaled up and down, when it last changed the
/// broker count (upScale or downScale, not storage), what it did last, and the recent command keys and alert keys it
/// acted on (bounded, newest last). See docs/executor.md#exactly-once.
/// </summary>
public sealed record GuardState(
    DateTimeOffset? LastScaleUp,
    DateTimeOffset? LastScaleDown,
    DateTimeOffset? LastBrokerCountChange,
    string? LastAction,
    IReadOnlyList<string> RecentCommands,
    IReadOnlyList<string> RecentAlerts)
{
    public const string Prefix = "scalefunctions.io/";
    public const string LastScaleUpAnnotation = Prefix + "last-scale-up";
    public const string LastScaleDownAnnotation = Prefix + "last-scale-down";
    public const string LastBrokerCountChangeAnnotation = Prefix + "last-broker-count-change";
    public const string LastActionAnnotation = Prefix + "last-action";
    public const string RecentCommandsAnnotation = Prefix + "recent-commands";
    public const string RecentAlertsAnnotation = Prefix + "recent-alerts";

    public DateTimeOffset? LastAnyAction => LastScaleUp > LastScaleDown || LastScaleDown is null ? LastScaleUp : LastScaleDown;

    /// <summary>The state in a resource's annotations (<paramref name="annotation"/> answers null for a missing one).</summary>
    public static GuardState Read(Func<string, string?> annotation) => new(
        Time(annotation(LastScaleUpAnnotation)),
        Time(annotation(LastScaleDownAnnotation)),
        Time(annotation(LastBrokerCountChangeAnnotation)),
        annotation(LastActionAnnotation),
        Keys(annotation(RecentCommandsAnnotation)),
        Keys(annotation(RecentAlertsAnnotation)));

    /// <summary>
    /// One state from several resources' (a Strimzi cluster's node pools, each written by the actions on it): the
    /// latest time of each kind, the last action of the latest write, every recent key (newest last, bounded).
    /// </summary>
    public static GuardState Latest(IReadOnlyList<GuardState> states, int limit)
    {
        static DateTimeOffset? Max(IEnumerable<DateTimeOffset?> times) => times.Where(t => t is not null).Max();
        var newest = states.OrderBy(s => Max([s.LastScaleUp, s.LastScaleDown, s.LastBrokerCountChange]) ?? DateTimeOffset.MinValue).ToList();
        return new(
            Max(states.Select(s => s.LastScaleUp)),
            Max(states.Select(s => s.LastScaleDown)),
            Max(states.Select(s => s.LastBrokerCountChange)),
            newest.LastOrDefault(s => s.LastAction is not null)?.LastAction,
            Bounded(newest.SelectMany(s => s.RecentCommands), limit),
            Bounded(newest.SelectMany(s => s.RecentAlerts), limit));
    }

    /// <summary>The state after acting on <paramref name="commandKey"/> at <paramref name="now"/>, bounded to <paramref name="limit"/> keys each.</summary>
    public GuardState After(bool scaleUp, bool brokerCount, DateTimeOffset now, string action, string commandKey, IEnumerable<string> alertKeys, int limit) => this with
    {
        LastScaleUp = scaleUp ? now : LastScaleUp,
        LastScaleDown = scaleUp ? LastScaleDown : now,
        LastBrokerCountChange = brokerCount ? now : LastBrokerCountChange,
        LastAction = action,
        RecentCommands = Bounded(RecentCommands.Append(commandKey), limit),
        RecentAlerts = Bounded(RecentAlerts.Concat(alertKeys), limit),
    };

    /// <summary>The annotations that hold this state (what is unknown is left out, so it stays as it is).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToAnnotations()
    {
        var annotations = new List<KeyValuePair<string, string>>();
        if (LastScaleUp is { } up)
        {
            annotations.Add(new(LastScaleUpAnnotation, Format(up)));
        }

        if (LastScaleDown is { } down)
        {
            annotations.Add(new(LastScaleDownAnnotation, Format(down)));
        }

        if (LastBrokerCountChange is { } change)
        {
            annotations.Add(new(LastBrokerCountChangeAnnotation, Format(change)));
        }

        if (LastAction is not null)
        {
            annotations.Add(new(LastActionAnnotation, LastAction));
        }

        annotations.Add(new(RecentCommandsAnnotation, JsonSerializer.Serialize(RecentCommands)));
        annotations.Add(new(RecentAlertsAnnotation, JsonSerializer.Serialize(RecentAlerts)));
        return annotations;
    }

    private static List<string> Bounded(IEnumerable<string> keys, int limit)
    {
        var distinct = keys.Reverse().Distinct(StringComparer.Ordinal).Take(limit).ToList();
        distinct.Reverse();
        return distinct;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>A JSON array of strings; anything else (edited by hand, truncated) reads as empty rather than failing.</summary>
    private static List<string> Keys(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
