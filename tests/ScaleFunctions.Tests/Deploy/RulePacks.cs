using ScaleFunctions.Testing;
using YamlDotNet.RepresentationModel;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>The rule packs in deploy/prometheus/ (<c>koperator</c>, <c>strimzi</c>): their files, rules and unit tests' expected alerts.</summary>
internal static class RulePacks
{
    public static string Path(string name) => ReferenceFiles.InRepository(System.IO.Path.Combine("deploy", "prometheus", name));

    public static YamlMappingNode Load(string name)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path(name))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>Every rule of the pack's plain rule file.</summary>
    public static IEnumerable<YamlMappingNode> Rules(string pack) =>
        ((YamlSequenceNode)Load($"{pack}-rules.yml")["groups"]).Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>());

    /// <summary>The names of the alerting rules that send a command (have a <c>command</c> annotation), in file order.</summary>
    public static IReadOnlyList<string> CommandRules(string pack) =>
        Rules(pack).Where(r => Annotations(r).ContainsKey("command")).Select(r => r["alert"].ToString()).ToList();

    public static IReadOnlyDictionary<string, string> Annotations(YamlMappingNode rule) => Map(rule, "annotations");

    /// <summary>
    /// Every alert the pack's promtool unit tests expect to fire, with exactly the labels and annotations promtool
    /// checked the rules produce (alertname added).
    /// </summary>
    public static IReadOnlyList<ExpectedAlert> ExpectedAlerts(string pack) =>
        ((YamlSequenceNode)Load(System.IO.Path.Combine("tests", $"{pack}-rules.test.yml"))["tests"]).Cast<YamlMappingNode>()
            .SelectMany(t => ((YamlSequenceNode)t["alert_rule_test"]).Cast<YamlMappingNode>().Select(a => (Test: t["name"].ToString(), Check: a)))
            .SelectMany(c => ((YamlSequenceNode)c.Check["exp_alerts"]).Cast<YamlMappingNode>().Select(e =>
            {
                var name = c.Check["alertname"].ToString();
                var labels = new Dictionary<string, string>(Map(e, "exp_labels"), StringComparer.Ordinal) { ["alertname"] = name };
                return new ExpectedAlert(c.Test, c.Check["eval_time"].ToString(), name, labels, Map(e, "exp_annotations"));
            }))
            .ToList();

    private static IReadOnlyDictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var child)
            ? ((YamlMappingNode)child).Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>One alert a promtool unit test expects: the test's name, the evaluation time, labels and annotations.</summary>
internal sealed record ExpectedAlert(string Test, string EvalTime, string AlertName, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public override string ToString() => $"{AlertName} at {EvalTime} in '{Test}'";
}
