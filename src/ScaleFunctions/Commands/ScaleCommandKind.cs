using System.Text.Json.Serialization;

namespace ScaleFunctions.Commands;

/// <summary>What a scaling command asks for. Serialized in the spelling of the alert's <c>command</c> annotation.</summary>
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
