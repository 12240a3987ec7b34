using System.Text.Json;
using System.Text.RegularExpressions;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// The app settings the Bicep deploys, read from a committed snapshot (<c>infra/snapshots/*.snapshot.json</c>, kept in
/// step with the Bicep by scripts/check-bicep.sh) and the secret setting names of its parameter file. Values the
/// deployment computes (endpoints, client ids) are unknown there and replaced by placeholders of the right shape.
/// </summary>
public sealed partial record DeployedSettings(IReadOnlyDictionary<string, string> Values)
{
    public static DeployedSettings Load(string snapshotName)
    {
        var snapshot = ReferenceFiles.InRepository(Path.Combine("infra", "snapshots", $"{snapshotName}.snapshot.json"));
        using var document = JsonDocument.Parse(File.ReadAllText(snapshot));
        var site = document.RootElement.GetProperty("predictedResources").EnumerateArray()
            .Single(r => r.GetProperty("type").GetString() == "Microsoft.Web/sites");
        var appSettings = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings");

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (appSettings.ValueKind == JsonValueKind.Array)
        {
            foreach (var setting in appSettings.EnumerateArray())
            {
                var name = setting.GetProperty("name").GetString()!;
                values[name] = Value(name, setting.GetProperty("value").GetString());
            }
        }
        else
        {
            // An ARM expression (the secret settings make the array one): its literal names are still all there.
            foreach (Match match in NamedSetting().Matches(appSettings.GetString()!))
            {
                var name = match.Groups["name"].Value;
                values[name] = Value(name, match.Groups["literal"].Success ? match.Groups["literal"].Value : null);
            }
        }

        var parameters = File.ReadAllText(ReferenceFiles.InRepository(Path.Combine("infra", "snapshots", $"{snapshotName}.bicepparam")));
        if (SecretSettingsBlock().Match(parameters) is { Success: true } block)
        {
            foreach (Match key in ObjectKey().Matches(block.Groups["body"].Value))
            {
                values[key.Groups["name"].Value] = Value(key.Groups["name"].Value, null);
            }
        }

        return new DeployedSettings(values);
    }

    /// <summary>The settings as the app's configuration sees them (<c>__</c> becomes <c>:</c>).</summary>
    public IEnumerable<KeyValuePair<string, string?>> AsConfiguration() =>
        Values.Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value));

    /// <summary>A key with its array indexes replaced by <c>*</c>: <c>Clusters:*:Namespace</c>.</summary>
    public static string Pattern(string key) =>
        string.Join(':', key.Replace("__", ":", StringComparison.Ordinal).Split(':').Select(s => s.All(char.IsAsciiDigit) ? "*" : s));

    private static string Value(string name, string? literal)
    {
        if (literal is not null && !literal.StartsWith('['))
        {
            return literal;
        }

        return name switch
        {
            _ when name.EndsWith("ClientId", StringComparison.OrdinalIgnoreCase) => "00000000-0000-4000-8000-000000000001",
            _ when name.Contains("CONNECTION_STRING", StringComparison.OrdinalIgnoreCase) =>
                "InstrumentationKey=00000000-0000-4000-8000-000000000002;IngestionEndpoint=https://deployed.invalid/",
            _ when name.EndsWith("Uri", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Url", StringComparison.OrdinalIgnoreCase) ||
                   name.EndsWith("Server", StringComparison.OrdinalIgnoreCase) => "https://deployed.invalid/",
            _ when name.EndsWith("Data", StringComparison.OrdinalIgnoreCase) => Convert.ToBase64String("deployed"u8.ToArray()),
            _ => "deployed-value-0123456789",
        };
    }

    [GeneratedRegex(@"createObject\('name', '(?<name>[^']+)', 'value', (?:'(?<literal>[^']*)'\)|)")]
    private static partial Regex NamedSetting();

    [GeneratedRegex(@"param secretSettings = \{(?<body>[^}]*)\}")]
    private static partial Regex SecretSettingsBlock();

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:", RegexOptions.Multiline)]
    private static partial Regex ObjectKey();
}
