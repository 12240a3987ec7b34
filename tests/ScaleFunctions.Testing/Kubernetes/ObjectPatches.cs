using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The two patch types the API server accepts for custom objects: JSON merge patch (RFC 7386) and JSON patch
/// (RFC 6902: add, remove, replace, move, copy, test). A failing JSON patch answers 422, as the API server does.
/// </summary>
public static class ObjectPatches
{
    public const string MergePatch = "application/merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";

    public static JsonNode? ApplyMergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = ApplyMergePatch(result[name], value);
            }
        }

        return result;
    }

    public static JsonObject ApplyJsonPatch(JsonObject target, JsonArray operations)
    {
        var document = target.DeepClone().AsObject();
        foreach (var node in operations)
        {
            var op = node?.AsObject() ?? throw KubernetesStatus.BadRequest("a JSON patch operation is null");
            var kind = (string?)op["op"] ?? throw KubernetesStatus.BadRequest("a JSON patch operation has no op");
            var path = (string?)op["path"] ?? throw KubernetesStatus.BadRequest("a JSON patch operation has no path");
            switch (kind)
            {
                case "add":
                    Add(document, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    Add(document, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var moved = Get(document, (string)op["from"]!);
                    Remove(document, (string)op["from"]!);
                    Add(document, path, moved);
                    break;
                case "copy":
                    Add(document, path, Get(document, (string)op["from"]!)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), op["value"]))
                    {
                        throw Unprocessable($"testing value {path} failed");
                    }

                    break;
                default:
                    throw KubernetesStatus.BadRequest($"unknown JSON patch operation '{kind}'");
            }
        }

        return document;
    }

    private static JsonNode? Get(JsonNode root, string path)
    {
        var (parent, token) = Parent(root, path);
        return parent switch
        {
            JsonObject obj when obj.TryGetPropertyValue(token, out var value) => value,
            JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
            _ => throw Unprocessable($"path {path} does not exist"),
        };
    }

    private static void Add(JsonNode root, string path, JsonNode? value)
    {
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[token] = value;
                break;
            case JsonArray array when token == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(token, out var index) && index >= 0 && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Unprocessable($"cannot add at {path}");
        }
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, token) = Parent(root, path);
        var removed = parent switch
        {
            JsonObject obj => obj.Remove(token),
            JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => RemoveAt(array, index),
            _ => false,
        };
        if (!removed)
        {
            throw Unprocessable($"path {path} does not exist");
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }

    private static (JsonNode Parent, string Token) Parent(JsonNode root, string path)
    {
        if (!path.StartsWith('/'))
        {
            throw KubernetesStatus.BadRequest($"JSON patch path '{path}' must start with '/'");
        }

        var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var current = root;
        foreach (var token in tokens[..^1])
        {
            current = current switch
            {
                JsonObject obj when obj[token] is { } child => child,
                JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count && array[index] is { } item => item,
                _ => throw Unprocessable($"path {path} does not exist"),
            };
        }

        return (current, tokens[^1]);
    }

    private static KubernetesStatus Unprocessable(string message) => new(422, "Invalid", message);
}
