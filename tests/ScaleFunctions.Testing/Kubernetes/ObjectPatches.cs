using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// The two patch types the API server accepts for custom objects: JSON merge patch (RFC 7386) and JSON patch
/// (RFC 6902: add, remove, replace, move, copy, test). A JSON patch is applied to the object as stored now, before any
/// resourceVersion in it is compared (<see cref="CustomObjectStore.Patch"/>); one that does not apply — a failed
/// <c>test</c>, a path that does not exist, an unknown op — answers the API server's bare 422
/// (<see cref="KubernetesStatus.PatchNotApplied"/>), the same body whatever the cause.
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
            var op = node as JsonObject ?? throw Unprocessable("a JSON patch operation is not an object");
            var kind = op["op"] is JsonValue opValue && opValue.TryGetValue<string>(out var opName) ? opName : throw Unprocessable("operation missing op");
            var path = op["path"] is JsonValue pathValue && pathValue.TryGetValue<string>(out var pathText) ? pathText : throw Unprocessable("operation missing path field");
            switch (kind)
            {
                case "add":
                    Add(document, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Replace(document, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var from = From(op);
                    var moved = Get(document, from);
                    Remove(document, from);
                    Add(document, path, moved);
                    break;
                case "copy":
                    Add(document, path, Get(document, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), op["value"]))
                    {
                        throw Unprocessable($"testing value {path} failed");
                    }

                    break;
                default:
                    throw Unprocessable($"Unexpected kind: {kind}");
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
            JsonArray array when Index(token) is { } index && index < array.Count => array[index],
            _ => throw Unprocessable($"path {path} does not exist"),
        };
    }

    private static string From(JsonObject op) =>
        op["from"] is JsonValue value && value.TryGetValue<string>(out var from) ? from : throw Unprocessable("operation missing from field");

    /// <summary>An array index: decimal digits only, no sign, no leading zero (RFC 6901).</summary>
    private static int? Index(string token) =>
        token.Length > 0 && (token == "0" || token[0] != '0') && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

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
            case JsonArray array when Index(token) is { } index && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Unprocessable($"cannot add at {path}");
        }
    }

    /// <summary>Replaces a value that must exist, in place (an object keeps its member order).</summary>
    private static void Replace(JsonNode root, string path, JsonNode? value)
    {
        var (parent, token) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(token):
                obj[token] = value;
                break;
            case JsonArray array when Index(token) is { } index && index < array.Count:
                array[index] = value;
                break;
            default:
                throw Unprocessable($"replace operation does not apply: doc is missing path: {path}");
        }
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, token) = Parent(root, path);
        var removed = parent switch
        {
            JsonObject obj => obj.Remove(token),
            JsonArray array when Index(token) is { } index && index < array.Count => RemoveAt(array, index),
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
            throw Unprocessable($"path '{path}' does not start with '/'");
        }

        var tokens = path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var current = root;
        foreach (var token in tokens[..^1])
        {
            current = current switch
            {
                JsonObject obj when obj[token] is { } child => child,
                JsonArray array when Index(token) is { } index && index < array.Count && array[index] is { } item => item,
                _ => throw Unprocessable($"path {path} does not exist"),
            };
        }

        return (current, tokens[^1]);
    }

    /// <summary>Why the patch did not apply, for the double's own tests only: the API server's answer does not say.</summary>
    private static KubernetesStatus Unprocessable(string why) => KubernetesStatus.PatchNotApplied(why);
}
