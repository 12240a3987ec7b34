using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The API server's check of <c>x-kubernetes-list-type</c>: in a <c>map</c> list no two items share the values of
/// <c>x-kubernetes-list-map-keys</c>, in a <c>set</c> no two items are equal; each repeat is a
/// <c>FieldValueDuplicate</c> at its index (<c>…ports[1]: Duplicate value: map[string]interface {}{…}</c>).
/// </summary>
internal static class ListTypes
{
    public static void Validate(JsonNode? node, JsonObject schema, string path, List<FieldError> errors)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    if (path.Length == 0 && name is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }

                    if (schema["properties"]?[name] is JsonObject property)
                    {
                        Validate(value, property, path.Length == 0 ? name : $"{path}.{name}", errors);
                    }
                    else if (schema["additionalProperties"] is JsonObject valueSchema)
                    {
                        Validate(value, valueSchema, $"{path}[{name}]", errors);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                CheckDuplicates(array, schema, path, errors);
                for (var i = 0; i < array.Count; i++)
                {
                    Validate(array[i], items, $"{path}[{i}]", errors);
                }

                break;
        }
    }

    private static void CheckDuplicates(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        var type = (string?)schema["x-kubernetes-list-type"];
        if (type is not ("map" or "set"))
        {
            return;
        }

        var keys = schema["x-kubernetes-list-map-keys"]?.AsArray().Select(k => (string)k!).ToArray() ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            JsonNode? identity = type == "set"
                ? array[i]?.DeepClone()
                : new JsonObject(keys.Where(k => array[i]?[k] is not null).Select(k => KeyValuePair.Create<string, JsonNode?>(k, array[i]![k]!.DeepClone())));
            if (!seen.Add(identity?.ToJsonString() ?? "null"))
            {
                errors.Add(FieldError.Duplicate($"{path}[{i}]", identity));
            }
        }
    }
}
