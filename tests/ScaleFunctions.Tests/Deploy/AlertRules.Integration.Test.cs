using ScaleFunctions.Testing;
using YamlDotNet.RepresentationModel;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>
/// The rule pack in deploy/prometheus/ passes Debian's promtool (check and unit tests), the PrometheusRule holds the
/// same rules as the plain file, and every rule that sends a command keeps the labels the intake finds a cluster by.
/// </summary>
public sealed class AlertRulesIntegrationTest
{
    private static string Pack(string name) => ReferenceFiles.InRepository(Path.Combine("deploy", "prometheus", name));

    [Fact]
    public async Task The_rule_file_passes_promtool_check_rules()
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "check", "rules", Pack("koperator-rules.yml"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rules_pass_their_promtool_unit_tests()
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "test", "rules", Pack(Path.Combine("tests", "koperator-rules.test.yml")));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_PrometheusRule_holds_the_same_groups_as_the_rule_file()
    {
        var plain = Load("koperator-rules.yml")["groups"];
        var resource = Load("koperator-prometheusrule.yaml");

        Assert.Equal("PrometheusRule", resource["kind"].ToString());
        Assert.Equal(plain, ((YamlMappingNode)resource["spec"])["groups"]);
    }

    [Fact]
    public void Every_command_rule_has_a_unit_test_that_expects_the_cluster_labels()
    {
        var groups = (YamlSequenceNode)Load("koperator-rules.yml")["groups"];
        var commandRules = groups.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Where(r => r.Children.ContainsKey("annotations") && ((YamlMappingNode)r["annotations"]).Children.ContainsKey("command"))
            .Select(r => r["alert"].ToString())
            .ToList();
        var expected = ((YamlSequenceNode)Load(Path.Combine("tests", "koperator-rules.test.yml"))["tests"]).Cast<YamlMappingNode>()
            .SelectMany(t => ((YamlSequenceNode)t["alert_rule_test"]).Cast<YamlMappingNode>())
            .SelectMany(a => ((YamlSequenceNode)a["exp_alerts"]).Cast<YamlMappingNode>().Select(e => (Alert: a["alertname"].ToString(), Labels: (YamlMappingNode)e["exp_labels"])))
            .ToList();

        Assert.Equal(["KafkaBrokersOverloaded", "KafkaPartitionCountHigh", "KafkaBrokersUnderused", "KafkaBrokerDiskFilling"], commandRules);
        foreach (var rule in commandRules)
        {
            // The seed's avg(sum by(brokerId, kafka_cr, namespace)(…)) lost both labels, and the receiver its cluster.
            Assert.Contains(expected, e => e.Alert == rule && e.Labels.Children.ContainsKey("namespace") && e.Labels.Children.ContainsKey("kafka_cr"));
        }
    }

    private static YamlMappingNode Load(string name)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Pack(name))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
