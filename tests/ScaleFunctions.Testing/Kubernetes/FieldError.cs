using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// One cause of a 422 Invalid, as the API server's field errors are: a reason (<c>FieldValueInvalid</c>,
/// <c>FieldValueRequired</c>, <c>FieldValueDuplicate</c>, <c>FieldValueNotSupported</c>, <c>FieldValueTypeInvalid</c>),
/// a field path in the API server's spelling (<c>spec.brokers[0].id</c>, map keys in brackets) and the message body
/// (<c>Invalid value: 65535: …</c>, <c>Required value</c>, <c>Duplicate value: …</c>).
/// </summary>
public sealed record FieldError(string Reason, string Field, string Body)
{
    public const string ValueInvalid = "FieldValueInvalid";
    public const string ValueRequired = "FieldValueRequired";
    public const string ValueDuplicate = "FieldValueDuplicate";
    public const string ValueNotSupported = "FieldValueNotSupported";
    public const string ValueTypeInvalid = "FieldValueTypeInvalid";

    public static FieldError Invalid(string field, JsonNode? value, string detail) => new(ValueInvalid, field, $"Invalid value: {Go(value)}: {detail}");

    public static FieldError Required(string field) => new(ValueRequired, field, "Required value");

    public static FieldError Duplicate(string field, JsonNode? value) => new(ValueDuplicate, field, $"Duplicate value: {Go(value)}");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new(ValueNotSupported, field, $"Unsupported value: {Go(value)}: supported values: {string.Join(", ", supported)}");

    public static FieldError TypeInvalid(string field, JsonNode? value, string type) =>
        new(ValueTypeInvalid, field, $"Invalid value: \"{TypeOf(value)}\": {field} in body must be of type {type}: \"{TypeOf(value)}\"");

    /// <summary>The error as the API server prints it in a Status message: <c>field: body</c>.</summary>
    public override string ToString() => $"{Field}: {Body}";

    /// <summary>A value the way Go's <c>%#v</c> prints a decoded JSON value (numbers bare, strings quoted, objects as maps).</summary>
    public static string Go(JsonNode? value) => value switch
    {
        null => "<nil>",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{JsonSerializer.Serialize(p.Key)}:{Go(p.Value)}")) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(Go)) + "}",
        _ => value.ToJsonString(),
    };

    private static string TypeOf(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        _ => "null",
    };
}
