using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleFunctions.Execution;

using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Strimzi;

/// <summary>
/// A downScale under way on a node pool, kept in the pool's annotation <c>scalefunctions.io/drain</c> so that it survives
/// restarts and duplicates: the command that started it, the broker being drained, the KafkaRebalance moving its
/// replicas off, and until when the drain may run (after that it is abandoned: no longer busy, removed by the next write
/// to the pool). See docs/strimzi.md#downscale.
/// </summary>
public sealed record PoolDrain(string Command, int Broker, string Rebalance, DateTimeOffset Until)
{
    public const string Annotation = GuardState.Prefix + "drain";

    /// <summary>The drain recorded on <paramref name="pool"/>; null when none (or unreadable: edited by hand).</summary>
    public static PoolDrain? Read(NodePoolResource pool)
    {
        if (pool.Annotation(Annotation) is not { } text)
        {
            return null;
        }

        try
        {
            var json = JsonNode.Parse(text);
            return (string?)json?["command"] is { } command && json["broker"] is JsonValue broker && broker.TryGetValue<int>(out var id)
                && (string?)json["rebalance"] is { } rebalance
                && DateTimeOffset.TryParse((string?)json["until"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until)
                ? new PoolDrain(command, id, rebalance, until)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string ToAnnotation() => new JsonObject
    {
        ["command"] = Command,
        ["broker"] = Broker,
        ["rebalance"] = Rebalance,
        ["until"] = Until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    }.ToJsonString();

    /// <summary>The name of the KafkaRebalance that drains <paramref name="broker"/> of <paramref name="cluster"/>.</summary>
    public static string RebalanceName(string cluster, int broker) =>
        $"{cluster}-scalefunctions-drain-{broker.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The KafkaRebalance that moves every replica off the broker (mode remove-brokers), approved as soon as its proposal is ready.</summary>
    public JsonObject RebalanceResource(string @namespace, string cluster) => new()
    {
        ["apiVersion"] = $"{StrimziNames.Group}/{StrimziNames.Version}",
        ["kind"] = "KafkaRebalance",
        ["metadata"] = new JsonObject
        {
            ["name"] = Rebalance,
            ["namespace"] = @namespace,
            ["labels"] = new JsonObject { [StrimziNames.ClusterLabel] = cluster, [ManagedBy.Label] = ManagedBy.Value },
            ["annotations"] = new JsonObject { [StrimziNames.AutoApprovalAnnotation] = "true", [Annotation] = Command },
        },
        ["spec"] = new JsonObject { ["mode"] = StrimziNames.RebalanceModes.RemoveBrokers, ["brokers"] = new JsonArray(Broker) },
    };
}

/// <summary>
/// Strimzi's node-id lists in <c>strimzi.io/next-node-ids</c> and <c>strimzi.io/remove-node-ids</c>: ids and ranges,
/// ascending or descending (<c>[0, 1, 10-20, 60-50]</c>), used in the order written. A list Strimzi could not read is
/// null, and Strimzi then uses its default (as the app does). So is a list of more than <see cref="MaxExpanded"/> ids in
/// all: an annotation of many wide ranges would otherwise take the executor's memory.
/// </summary>
public static class NodeIdList
{
    public const int MaxExpanded = 100_000;

    public static IReadOnlyList<int>? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length < 2 || trimmed[0] != '[' || trimmed[^1] != ']')
        {
            return null;
        }

        var ids = new List<int>();
        foreach (var part in trimmed[1..^1].Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0)
            {
                return null;
            }

            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length == 1 && Id(range[0]) is { } id && ids.Count < MaxExpanded)
            {
                ids.Add(id);
            }
            else if (range.Length == 2 && Id(range[0]) is { } from && Id(range[1]) is { } to && (long)Math.Abs((long)to - from) + 1 <= MaxExpanded - ids.Count)
            {
                var step = to >= from ? 1 : -1;
                for (var i = from; i != to + step; i += step)
                {
                    ids.Add(i);
                }
            }
            else
            {
                return null;
            }
        }

        return ids;
    }

    private static int? Id(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
