using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// One version of a CustomResourceDefinition, as the API server uses it: names, whether the status subresource is on,
/// the structural schema (to prune unknown fields, as the API server does) and the same schema turned into JSON Schema
/// 2020-12 (validated with JsonSchema.Net) to answer 422 Invalid; and the scale subresource when the CRD declares it
/// (its replicas paths are validated as the API server does: non-negative, at most 2147483647).
/// </summary>
public sealed class CustomResourceSchema
{
    // One options instance, and one evaluation at a time: the schema is shared by every double in the test run, and
    // JsonSchema.Net 7.x rebuilds a schema's constraints when it sees new options, which races under parallel tests
    // (json-everything issue #929: random errors from parallel evaluations with new options each time).
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };
    private readonly Lock evaluating = new();
    private readonly JsonObject structural;
    private readonly JsonSchema schema;

    private CustomResourceSchema(string group, string version, JsonObject names, bool hasStatusSubresource, ScaleSubresource? scale, JsonObject structural)
    {
        Scale = scale;
        Group = group;
        Version = version;
        Kind = (string)names["kind"]!;
        ListKind = (string?)names["listKind"] ?? Kind + "List";
        Plural = (string)names["plural"]!;
        HasStatusSubresource = hasStatusSubresource;
        this.structural = structural;
        schema = JsonSchema.FromText(OpenApiToJsonSchema.Convert(structural).ToJsonString());
    }

    public string Group { get; }
    public string Version { get; }
    public string Kind { get; }
    public string ListKind { get; }
    public string Plural { get; }
    public bool HasStatusSubresource { get; }

    /// <summary><c>subresources.scale</c> of the served version, or null when the CRD has none.</summary>
    public ScaleSubresource? Scale { get; }

    public static CustomResourceSchema FromCrdYaml(string crdYaml, string version)
    {
        var crd = YamlJson.ReadAll(crdYaml).OfType<JsonObject>()
            .First(d => (string?)d["kind"] == "CustomResourceDefinition");
        var spec = crd["spec"]!.AsObject();
        var served = spec["versions"]!.AsArray().Select(v => v!.AsObject())
            .FirstOrDefault(v => (string?)v["name"] == version)
            ?? throw new InvalidDataException($"The CRD has no version {version}.");
        return new CustomResourceSchema(
            (string)spec["group"]!,
            version,
            spec["names"]!.AsObject(),
            served["subresources"]?["status"] is not null,
            served["subresources"]?["scale"] is JsonObject scale
                ? new ScaleSubresource((string)scale["specReplicasPath"]!, (string)scale["statusReplicasPath"]!, (string?)scale["labelSelectorPath"])
                : null,
            served["schema"]!["openAPIV3Schema"]!.AsObject());
    }

    /// <summary>Removes fields the schema does not know (and nulls for non-nullable fields); returns their paths.</summary>
    public IReadOnlyList<string> Prune(JsonObject instance)
    {
        var unknown = new List<string>();
        StructuralPruning.PruneRoot(instance, structural, unknown);
        return unknown;
    }

    /// <summary>
    /// Validation errors as the API server reports them (reasons, field paths such as <c>spec.brokers[0].id</c>),
    /// including duplicates in lists the schema declares <c>x-kubernetes-list-type: map</c> or <c>set</c>; empty when
    /// the object is valid.
    /// </summary>
    public IReadOnlyList<FieldError> Validate(JsonObject instance)
    {
        var errors = new List<FieldError>();
        EvaluationResults results;
        lock (evaluating)
        {
            results = schema.Evaluate(instance, Evaluation);
        }

        if (!results.IsValid)
        {
            foreach (var detail in results.Details.Where(d => d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/anyOf/", StringComparison.Ordinal)))
            {
                var segments = detail.InstanceLocation.ToString().Split('/', StringSplitOptions.RemoveEmptyEntries)
                    .Select(x => x.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
                var (field, node) = Locate(segments);
                var value = Resolve(instance, segments);
                foreach (var (keyword, message) in detail.Errors!)
                {
                    errors.AddRange(ToFieldErrors(keyword, message, field, node, value));
                }
            }
        }

        ListTypes.Validate(instance, structural, "", errors);
        if (Scale is { } scale)
        {
            errors.AddRange(ValidateReplicas(instance, scale.SpecReplicasPath));
            errors.AddRange(ValidateReplicas(instance, scale.StatusReplicasPath));
        }

        return errors.Distinct().ToList();
    }

    /// <summary>The API server's own check of a scale replicas path (after the schema's, so both may be reported).</summary>
    private static IEnumerable<FieldError> ValidateReplicas(JsonObject instance, string path)
    {
        var field = path.TrimStart('.');
        if (ScaleSubresource.Read(instance, path) is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            yield break;
        }

        var replicas = value.Deserialize<double>();

        if (replicas < 0)
        {
            yield return FieldError.Invalid(field, value, "should be a non-negative integer");
        }
        else if (replicas > int.MaxValue)
        {
            yield return FieldError.Invalid(field, value, $"should be less than or equal to {int.MaxValue}");
        }
    }

    private static IEnumerable<FieldError> ToFieldErrors(string keyword, string message, string field, JsonObject? node, JsonNode? value) => keyword switch
    {
        "required" => Regex.Matches(message, "\"([^\"]+)\"").Select(m => FieldError.Required(field.Length == 0 ? m.Groups[1].Value : $"{field}.{m.Groups[1].Value}")),
        "type" => [FieldError.TypeInvalid(field, value, (string?)node?["type"] ?? "?")],
        "enum" => [FieldError.NotSupported(field, value, node?["enum"]?.AsArray().Select(FieldError.Go) ?? [])],
        "minimum" => [FieldError.Invalid(field, value, $"{field} in body should be greater than or equal to {node?["minimum"]}")],
        "maximum" => [FieldError.Invalid(field, value, $"{field} in body should be less than or equal to {node?["maximum"]}")],
        "pattern" => [FieldError.Invalid(field, value, $"{field} in body should match '{node?["pattern"]}'")],
        _ => [FieldError.Invalid(field, value, message)],
    };

    /// <summary>The API server's field path of a JSON pointer (properties dotted, list indexes and map keys in brackets) and its schema.</summary>
    private (string Field, JsonObject? Node) Locate(string[] segments)
    {
        var field = new System.Text.StringBuilder();
        JsonObject? node = structural;
        foreach (var segment in segments)
        {
            if (node?["properties"]?[segment] is JsonObject property)
            {
                field.Append(field.Length == 0 ? "" : ".").Append(segment);
                node = property;
            }
            else
            {
                field.Append('[').Append(segment).Append(']');
                node = node?["items"] as JsonObject ?? node?["additionalProperties"] as JsonObject;
            }
        }

        return (field.ToString(), node);
    }

    private static JsonNode? Resolve(JsonNode? node, string[] segments)
    {
        foreach (var segment in segments)
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i],
                _ => null,
            };
        }

        return node;
    }
}

/// <summary>
/// <c>subresources.scale</c> of a CRD version: where the desired and observed replicas and the label selector live
/// (JSON paths such as <c>.spec.replicas</c>).
/// </summary>
public sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath)
{
    /// <summary>The node at a simple JSON path (<c>.a.b</c>), or null.</summary>
    public static JsonNode? Read(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.TrimStart('.').Split('.'))
        {
            node = (node as JsonObject)?[segment];
        }

        return node;
    }

    /// <summary>Sets the node at a simple JSON path, creating the objects on the way.</summary>
    public static void Write(JsonObject obj, string path, JsonNode? value)
    {
        var segments = path.TrimStart('.').Split('.');
        var node = obj;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject next)
            {
                next = [];
                node[segment] = next;
            }

            node = next;
        }

        node[segments[^1]] = value;
    }
}
