using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Intake;

/// <summary>
/// Reads a label or annotation map: a JSON object of strings. <c>null</c> (for the map or a value) reads as empty;
/// any other value type, or a key given twice, makes the document invalid.
/// </summary>
public sealed class StringMapConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public static IReadOnlyDictionary<string, string> Empty { get; } = FrozenDictionary<string, string>.Empty;

    public override bool HandleNull => true;

    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return Empty;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Labels and annotations must be JSON objects.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => "",
                _ => throw new JsonException($"The value of '{Excerpt.Of(key)}' must be a string."),
            };
            if (!map.TryAdd(key, value))
            {
                throw new JsonException($"The key '{Excerpt.Of(key)}' appears twice.");
            }
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in value)
        {
            writer.WriteString(key, item);
        }

        writer.WriteEndObject();
    }
}
