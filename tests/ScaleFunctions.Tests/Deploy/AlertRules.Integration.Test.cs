using ScaleFunctions.Testing;
using YamlDotNet.RepresentationModel;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>
/// Each rule pack in deploy/prometheus/ (Koperator's, Strimzi's) passes Debian's promtool (check and unit tests), its
/// PrometheusRule holds the same rules as its plain file, and every rule that sends a command keeps the labels the
/// intake finds a cluster by.
/// </summary>
public sealed class AlertRulesIntegrationTest
{
    public static TheoryData<string, string[]> CommandRules => new()
    {
        { "koperator", ["KafkaBrokersOverloaded", "KafkaPartitionCountHigh", "KafkaBrokersUnderused", "KafkaBrokerDiskFilling"] },
        { "strimzi", ["StrimziBrokersOverloaded", "StrimziPartitionCountHigh", "StrimziBrokersUnderused", "StrimziVolumeFilling", "StrimziPoolDisksFull"] },
    };

    [Theory]
    [InlineData("koperator")]
    [InlineData("strimzi")]
    public async Task The_rule_file_passes_promtool_check_rules(string pack)
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "check", "rules", RulePacks.Path($"{pack}-rules.yml"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("koperator")]
    [InlineData("strimzi")]
    public async Task The_rules_pass_their_promtool_unit_tests(string pack)
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "test", "rules", RulePacks.Path(Path.Combine("tests", $"{pack}-rules.test.yml")));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("koperator")]
    [InlineData("strimzi")]
    public void The_PrometheusRule_holds_the_same_groups_as_the_rule_file(string pack)
    {
        var plain = RulePacks.Load($"{pack}-rules.yml")["groups"];
        var resource = RulePacks.Load($"{pack}-prometheusrule.yaml");

        Assert.Equal("PrometheusRule", resource["kind"].ToString());
        Assert.Equal(plain, ((YamlMappingNode)resource["spec"])["groups"]);
    }

    [Theory]
    [MemberData(nameof(CommandRules))]
    public void Every_command_rule_has_a_unit_test_that_expects_the_cluster_labels(string pack, string[] rules)
    {
        var commandRules = RulePacks.CommandRules(pack);
        var expected = RulePacks.ExpectedAlerts(pack);

        Assert.Equal(rules, commandRules);
        foreach (var rule in commandRules)
        {
            // The seed's avg(sum by(brokerId, kafka_cr, namespace)(…)) lost both labels, and the receiver its cluster.
            Assert.Contains(expected, e => e.AlertName == rule && e.Labels.ContainsKey("namespace") && e.Labels.ContainsKey("kafka_cr"));
        }
    }
}
