using System.Text.Json.Nodes;
using Json.Schema;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// The proposal summary's schema (<c>OptimizerResult</c> in Cruise Control's own
/// <c>Reference/cruise-control/openapi/responses/optimizationResult.yaml</c>): the <c>provisionStatus</c> values it
/// allows, and validation of a body's <c>summary</c>, so that derived replies stay real-schema bodies.
/// </summary>
public static class CruiseControlResponseSchema
{
    private static readonly Lazy<JsonObject> OptimizerResult = new(() =>
        YamlJson.ReadObject(File.ReadAllText(Path.Combine(CruiseControlParameters.Directory, "responses", "optimizationResult.yaml")))["OptimizerResult"]!.AsObject());

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(OptimizerResult.Value.ToJsonString()));

    /// <summary>The <c>provisionStatus</c> enum, in the schema's order.</summary>
    public static IReadOnlyList<string> ProvisionStatuses =>
        OptimizerResult.Value["properties"]!["provisionStatus"]!["enum"]!.AsArray().Select(v => (string)v!).ToList();

    /// <summary>Schema errors of <paramref name="body"/>'s <c>summary</c> (keyword: message); empty when valid.</summary>
    public static IReadOnlyList<string> SummaryErrors(string body)
    {
        var summary = JsonNode.Parse(body)!["summary"];
        var results = Schema.Value.Evaluate(summary, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : results.Details.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}")).ToList();
    }
}
