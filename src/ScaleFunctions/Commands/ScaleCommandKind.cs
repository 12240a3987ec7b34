using System.Text.Json.Serialization;

namespace ScaleFunctions.Commands;

/// <summary>
/// What a scaling command asks for. Serialized in the spelling of the alert's <c>command</c> annotation; the one table
/// of those spellings is <see cref="ScaleCommandNames"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScaleCommandKind>))]
public enum ScaleCommandKind
{
    [JsonStringEnumMemberName("upScale")]
    UpScale,

    [JsonStringEnumMemberName("downScale")]
    DownScale,

    [JsonStringEnumMemberName("addPvc")]
    AddPvc,

    [JsonStringEnumMemberName("resizePvc")]
    ResizePvc,
}

/// <summary>The names of the commands, as alerts spell them (case-sensitive), in logs, decisions and queue messages.</summary>
public static class ScaleCommandNames
{
    private static readonly Dictionary<string, ScaleCommandKind> Parse = new(StringComparer.Ordinal)
    {
        ["upScale"] = ScaleCommandKind.UpScale,
        ["downScale"] = ScaleCommandKind.DownScale,
        ["addPvc"] = ScaleCommandKind.AddPvc,
        ["addPVC"] = ScaleCommandKind.AddPvc, // Koperator's original spelling, as in the seed article.
        ["resizePvc"] = ScaleCommandKind.ResizePvc,
    };

    /// <summary>The command's name: upScale, downScale, addPvc, resizePvc.</summary>
    public static string Of(ScaleCommandKind kind) => kind switch
    {
        ScaleCommandKind.UpScale => "upScale",
        ScaleCommandKind.DownScale => "downScale",
        ScaleCommandKind.AddPvc => "addPvc",
        ScaleCommandKind.ResizePvc => "resizePvc",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a command."),
    };

    public static bool TryParse(string? name, out ScaleCommandKind kind) =>
        Parse.TryGetValue(name ?? "", out kind);
}
