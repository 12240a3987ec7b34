using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// Reading fields of a custom resource kept as JSON, leniently (a field of the wrong type reads as absent, never throws):
/// whole numbers, string lists, and status conditions as Kubernetes and the operators write them.
/// </summary>
public static class ResourceFields
{
    /// <summary>A whole number in the int range; null for anything else.</summary>
    public static int? Int(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.Deserialize<double>() is var number
            && number == Math.Floor(number) && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : null;

    /// <summary>The whole numbers of a JSON array (others skipped); empty when it is not an array.</summary>
    public static IReadOnlyList<int> Ints(JsonNode? node) =>
        (node as JsonArray)?.Select(Int).OfType<int>().ToList() ?? [];

    /// <summary>The strings of a JSON array (others skipped); empty when it is not an array.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        (node as JsonArray)?.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList() ?? [];

    /// <summary>The conditions in <c>status.conditions</c> of <paramref name="resource"/>.</summary>
    public static IReadOnlyList<Condition> Conditions(JsonNode? resource) =>
        (resource?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .Select(c => new Condition(Text(c["type"]) ?? "", Text(c["status"]) ?? "", Text(c["reason"]), Text(c["message"]), Text(c["lastTransitionTime"])))
            .ToList() ?? [];

    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}

/// <summary>One status condition: its type, status (<c>True</c>, <c>False</c>, <c>Unknown</c>), reason, message and when it last changed.</summary>
public sealed record Condition(string Type, string Status, string? Reason, string? Message, string? LastTransitionTime = null)
{
    public bool IsTrue => string.Equals(Status, "True", StringComparison.Ordinal);

    public string Describe() => $"{Type}={Status}" + (Reason is { Length: > 0 } r ? $" ({r}" + (Message is { Length: > 0 } m ? $": {m})" : ")") : "");
}

/// <summary>The standard label on the resources this app creates (CruiseControlOperations, KafkaRebalances): who manages them.</summary>
public static class ManagedBy
{
    public const string Label = "app.kubernetes.io/managed-by";
    public const string Value = "scalefunctions";
}
