using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// Turns a Kubernetes structural schema (OpenAPI v3.0 dialect with <c>x-kubernetes-*</c> extensions) into JSON Schema
/// 2020-12: boolean <c>exclusiveMinimum/Maximum</c> become numbers, <c>nullable</c> adds <c>null</c> to the type,
/// <c>x-kubernetes-int-or-string</c> accepts an integer or a string, other extensions and descriptions are dropped.
/// </summary>
internal static class OpenApiToJsonSchema
{
    public static JsonObject Convert(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            switch (key)
            {
                case "description" or "default" or "example" or "externalDocs" or "nullable":
                case var extension when extension.StartsWith("x-kubernetes-", StringComparison.Ordinal):
                    break;
                case "exclusiveMaximum" or "exclusiveMinimum":
                    break; // handled with maximum/minimum below
                case "properties" or "patternProperties" or "definitions" or "$defs":
                    var properties = new JsonObject();
                    foreach (var (name, schema) in value!.AsObject())
                    {
                        properties[name] = Convert(schema!.AsObject());
                    }

                    result[key] = properties;
                    break;
                case "items" or "additionalProperties" or "not" when value is JsonObject nested:
                    result[key] = Convert(nested);
                    break;
                case "anyOf" or "allOf" or "oneOf":
                    result[key] = new JsonArray(value!.AsArray().Select(s => (JsonNode)Convert(s!.AsObject())).ToArray());
                    break;
                case "maximum" when source["exclusiveMaximum"] is JsonValue exclusive && exclusive.GetValue<bool>():
                    result["exclusiveMaximum"] = value!.DeepClone();
                    break;
                case "minimum" when source["exclusiveMinimum"] is JsonValue exclusive && exclusive.GetValue<bool>():
                    result["exclusiveMinimum"] = value!.DeepClone();
                    break;
                default:
                    result[key] = value?.DeepClone();
                    break;
            }
        }

        if (source["x-kubernetes-int-or-string"] is JsonValue intOrString && intOrString.GetValue<bool>() && result["anyOf"] is null)
        {
            result.Remove("type");
            result["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
        }

        if (source["nullable"] is JsonValue nullable && nullable.GetValue<bool>() && result["type"] is JsonValue type)
        {
            result["type"] = new JsonArray(type.GetValue<string>(), "null");
        }

        return result;
    }
}
