using System.Text.Json.Nodes;

namespace ScaleFunctions.Koperator;

/// <summary>
/// The exact difference between two JSON documents as a JSON Patch (RFC 6902: add, remove, replace): what the executor
/// logs for every change it makes, and all it logs (nothing written) in dry-run. Only changed values appear; arrays of
/// objects with an integer <c>id</c> are compared item by item by id, other arrays position by position.
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
            case (JsonArray from, JsonArray to) when Ids(from) is { } fromIds && Ids(to) is { } toIds && SameOrder(fromIds, toIds):
                ById(from, fromIds, to, toIds, path, operations);
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

    /// <summary>
    /// Items keyed by a unique integer <c>id</c> (<c>spec.brokers</c>) are paired by id, not by position: removing a
    /// broker from the middle is one remove, and a broker that did not change never appears in the patch (its
    /// readOnlyConfig and envs, which may hold credentials, stay out of the log). Removes first (from the end), then the
    /// changes inside kept items at their positions after the removes, then adds at their final positions.
    /// </summary>
    private static void ById(JsonArray from, List<int> fromIds, JsonArray to, List<int> toIds, string path, JsonArray operations)
    {
        for (var i = from.Count - 1; i >= 0; i--)
        {
            if (!toIds.Contains(fromIds[i]))
            {
                operations.Add(Op("remove", $"{path}/{i}"));
            }
        }

        var kept = fromIds.Where(toIds.Contains).ToList();
        for (var k = 0; k < kept.Count; k++)
        {
            Walk(from[fromIds.IndexOf(kept[k])], to[toIds.IndexOf(kept[k])], $"{path}/{k}", operations);
        }

        for (var j = 0; j < to.Count; j++)
        {
            if (!fromIds.Contains(toIds[j]))
            {
                operations.Add(Op("add", $"{path}/{j}", to[j]));
            }
        }
    }

    /// <summary>The items' ids when every item is an object with a distinct integer <c>id</c>; else null.</summary>
    private static List<int>? Ids(JsonArray array)
    {
        var ids = array.Select(item => item is JsonObject o ? KafkaClusterResource.Int(o["id"]) : null).ToList();
        return ids.All(id => id is not null) && ids.Distinct().Count() == ids.Count ? ids.Select(id => id!.Value).ToList() : null;
    }

    /// <summary>Ids on both sides keep their relative order (always so for the executor's own changes).</summary>
    private static bool SameOrder(List<int> fromIds, List<int> toIds) =>
        fromIds.Where(toIds.Contains).SequenceEqual(toIds.Where(fromIds.Contains));

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
