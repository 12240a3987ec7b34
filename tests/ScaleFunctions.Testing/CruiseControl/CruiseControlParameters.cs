using System.Text.Json.Nodes;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// The query parameters each Cruise Control endpoint accepts, per method, read from Cruise Control's own OpenAPI
/// description (<c>Reference/cruise-control/openapi/</c>: <c>base.yaml</c>'s paths and the endpoint files they point
/// to). Names compare case-insensitively, as Cruise Control compares them.
/// </summary>
public static class CruiseControlParameters
{
    private static readonly Lazy<IReadOnlyDictionary<(string Method, string Endpoint), IReadOnlySet<string>>> Accepted = new(Read);

    public static string Directory { get; } = ReferenceFiles.Directory(Path.Combine("cruise-control", "openapi"));

    /// <summary>The parameters <paramref name="method"/> <paramref name="endpoint"/> accepts; null when the OpenAPI copy does not describe it.</summary>
    public static IReadOnlySet<string>? For(string method, string endpoint) =>
        Accepted.Value.TryGetValue((method.ToUpperInvariant(), endpoint), out var names) ? names : null;

    private static Dictionary<(string, string), IReadOnlySet<string>> Read()
    {
        var result = new Dictionary<(string, string), IReadOnlySet<string>>();
        var paths = YamlJson.ReadObject(File.ReadAllText(Path.Combine(Directory, "base.yaml")))["paths"]!.AsObject();
        foreach (var (path, item) in paths)
        {
            // $ref: 'endpoints/state.yaml#/StateEndpoint'
            var reference = ((string?)item?["$ref"] ?? "").Split('#');
            var file = Path.Combine(Directory, reference[0]);
            if (reference.Length != 2 || !File.Exists(file))
            {
                continue; // only the endpoints the double serves are copied
            }

            var operations = YamlJson.ReadObject(File.ReadAllText(file))[reference[1].TrimStart('/')]!.AsObject();
            foreach (var (method, operation) in operations)
            {
                var names = (operation?["parameters"] as JsonArray ?? [])
                    .Select(p => (string?)p?["name"]).OfType<string>()
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
                result[(method.ToUpperInvariant(), path.TrimStart('/'))] = names;
            }
        }

        return result;
    }
}
