using System.Text.Json.Nodes;

namespace ScaleFunctions.Execution;

/// <summary>
/// The exact difference between two JSON documents as a JSON Patch (RFC 6902: add, remove, replace): what the executor
/// logs for every change it makes, and all it logs (nothing written) in dry-run.
/// </summary>
public static class JsonDiff
{
    public static JsonArray Diff(JsonNode? before, JsonNode? after)
    {
        var operations = new JsonArray();
        Walk(before, after, "", operations);
        return operations;
    }

    private static void Walk(JsonNode? before, JsonNode? after, string path, JsonArray operations)
    {
        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        switch (before, after)
        {
            case (JsonObject from, JsonObject to):
                foreach (var (name, value) in from)
                {
                    if (!to.ContainsKey(name))
                    {
                        operations.Add(Op("remove", $"{path}/{Escape(name)}"));
                    }
                    else
                    {
                        Walk(value, to[name], $"{path}/{Escape(name)}", operations);
                    }
                }

                foreach (var (name, value) in to)
                {
                    if (!from.ContainsKey(name))
                    {
                        operations.Add(Op("add", $"{path}/{Escape(name)}", value));
                    }
                }

                break;
            case (JsonArray from, JsonArray to):
                var common = Math.Min(from.Count, to.Count);
                for (var i = 0; i < common; i++)
                {
                    Walk(from[i], to[i], $"{path}/{i}", operations);
                }

                for (var i = common; i < to.Count; i++)
                {
                    operations.Add(Op("add", $"{path}/{i}", to[i]));
                }

                for (var i = from.Count - 1; i >= common; i--)
                {
                    operations.Add(Op("remove", $"{path}/{i}"));
                }

                break;
            default:
                operations.Add(Op("replace", path, after));
                break;
        }
    }

    private static JsonObject Op(string op, string path, JsonNode? value = null)
    {
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (op != "remove")
        {
            operation["value"] = value?.DeepClone();
        }

        return operation;
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
