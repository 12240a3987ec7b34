using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The API server's pruning of custom objects: fields not in the structural schema are dropped (unless
/// <c>x-kubernetes-preserve-unknown-fields</c>), and so are nulls of non-nullable fields. <c>apiVersion</c>, <c>kind</c>
/// and <c>metadata</c> at the root are the API server's own and are never pruned.
/// </summary>
internal static class StructuralPruning
{
    public static void PruneRoot(JsonObject instance, JsonObject schema, List<string> unknown)
    {
        var properties = schema["properties"]?.AsObject();
        foreach (var (name, value) in instance.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            PruneProperty(instance, name, value, properties?[name]?.AsObject(), name, unknown, Preserves(schema));
        }
    }

    private static void Prune(JsonNode? node, JsonObject schema, string path, List<string> unknown)
    {
        switch (node)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, value) in obj.ToList())
                {
                    PruneProperty(obj, name, value, properties[name]?.AsObject(), $"{path}.{name}", unknown, Preserves(schema));
                }

                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject valueSchema:
                foreach (var (name, value) in obj.ToList())
                {
                    PruneProperty(obj, name, value, valueSchema, $"{path}.{name}", unknown, preserveUnknown: false);
                }

                break;
            case JsonObject obj when !Preserves(schema) && schema["additionalProperties"] is not JsonValue:
                foreach (var (name, _) in obj.ToList())
                {
                    unknown.Add($"{path}.{name}");
                    obj.Remove(name);
                }

                break;
            case JsonArray array when schema["items"] is JsonObject itemSchema:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(array[i], itemSchema, $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static void PruneProperty(JsonObject parent, string name, JsonNode? value, JsonObject? schema, string path, List<string> unknown, bool preserveUnknown)
    {
        if (schema is null)
        {
            if (!preserveUnknown)
            {
                unknown.Add(path);
                parent.Remove(name);
            }

            return;
        }

        if (value is null)
        {
            if (schema["nullable"] is not JsonValue nullable || !nullable.GetValue<bool>())
            {
                parent.Remove(name);
            }

            return;
        }

        Prune(value, schema, path, unknown);
    }

    private static bool Preserves(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"] is JsonValue preserve && preserve.GetValue<bool>();
}
