using System.Text.Json.Nodes;
using Json.Schema;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// One version of a CustomResourceDefinition, as the API server uses it: names, whether the status subresource is on,
/// the structural schema (to prune unknown fields, as the API server does) and the same schema turned into JSON Schema
/// 2020-12 (validated with JsonSchema.Net) to answer 422 Invalid.
/// </summary>
public sealed class CustomResourceSchema
{
    private readonly JsonObject structural;
    private readonly JsonSchema schema;

    private CustomResourceSchema(string group, string version, JsonObject names, bool hasStatusSubresource, JsonObject structural)
    {
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
            served["schema"]!["openAPIV3Schema"]!.AsObject());
    }

    /// <summary>Removes fields the schema does not know (and nulls for non-nullable fields); returns their paths.</summary>
    public IReadOnlyList<string> Prune(JsonObject instance)
    {
        var unknown = new List<string>();
        StructuralPruning.PruneRoot(instance, structural, unknown);
        return unknown;
    }

    /// <summary>Validation errors as (field path, message); empty when the object is valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate(JsonObject instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return results.Details
            .Where(d => d.Errors is { Count: > 0 } && !d.EvaluationPath.ToString().Contains("/anyOf/", StringComparison.Ordinal))
            .SelectMany(d => d.Errors!.Select(e => (FieldPath(d.InstanceLocation.ToString()), $"{e.Key}: {e.Value}")))
            .Distinct()
            .ToList();
    }

    private static string FieldPath(string pointer) =>
        string.Join('.', pointer.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)));
}
