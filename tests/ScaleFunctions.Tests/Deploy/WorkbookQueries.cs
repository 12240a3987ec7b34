using System.Text.Json.Nodes;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>The KQL of infra/app/workbook.json: its tiles' queries and its parameters' queries, by item name.</summary>
internal static class WorkbookQueries
{
    public static JsonNode Workbook() =>
        JsonNode.Parse(File.ReadAllText(ReferenceFiles.InRepository(Path.Combine("infra", "app", "workbook.json"))))!;

    /// <summary>Every query in the workbook, tiles and parameters.</summary>
    public static IEnumerable<string> All() => Items(Workbook()).SelectMany(item => Queries(item));

    /// <summary>The query of the tile named <paramref name="name"/>.</summary>
    public static string Tile(string name) =>
        Items(Workbook()).Single(i => (string?)i["name"] == name)["content"]!["query"]!.GetValue<string>();

    /// <summary>The query of the workbook parameter named <paramref name="name"/>.</summary>
    public static string Parameter(string name) =>
        Items(Workbook()).SelectMany(i => i["content"]?["parameters"]?.AsArray() ?? [])
            .Single(p => (string?)p!["name"] == name)!["query"]!.GetValue<string>();

    private static IEnumerable<string> Queries(JsonNode item)
    {
        if (item["content"]?["query"] is JsonValue query)
        {
            yield return query.GetValue<string>();
        }

        foreach (var parameter in item["content"]?["parameters"]?.AsArray() ?? [])
        {
            if (parameter?["query"] is JsonValue parameterQuery)
            {
                yield return parameterQuery.GetValue<string>();
            }
        }
    }

    private static IEnumerable<JsonNode> Items(JsonNode node)
    {
        foreach (var item in node["items"]?.AsArray() ?? [])
        {
            if (item is null)
            {
                continue;
            }

            yield return item;
            foreach (var nested in Items(item["content"] ?? new JsonObject()))
            {
                yield return nested;
            }
        }
    }
}
