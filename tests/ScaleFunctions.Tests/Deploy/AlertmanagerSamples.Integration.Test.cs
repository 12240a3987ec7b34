using ScaleFunctions.Testing;
using YamlDotNet.RepresentationModel;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>The sample Alertmanager configurations in deploy/alertmanager/ are valid for the Alertmanager that runs here.</summary>
public sealed class AlertmanagerSamplesIntegrationTest
{
    public static TheoryData<string> SamplesFor025 => ["function-key-in-url.yml", "bearer-token.yml", "basic-auth.yml"];

    private static string Sample(string name) => ReferenceFiles.InRepository(Path.Combine("deploy", "alertmanager", name));

    [Theory]
    [MemberData(nameof(SamplesFor025))]
    public async Task Passes_amtool_check_config(string sample)
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("amtool"), "check-config", Sample(sample));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_http_headers_sample_reads_the_function_key_from_a_file()
    {
        // Alertmanager 0.25 cannot check this one (http_headers came with 0.28): its structure is checked instead.
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Sample("function-key-header.yml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;

        var receiver = ((YamlSequenceNode)root["receivers"]).Cast<YamlMappingNode>().Single(r => r["name"].ToString() == "scalefunctions");
        var webhook = (YamlMappingNode)((YamlSequenceNode)receiver["webhook_configs"]).Single();
        var header = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)webhook["http_config"])["http_headers"])["x-functions-key"];
        var file = Assert.Single((YamlSequenceNode)header["files"]).ToString();

        Assert.StartsWith("/", file, StringComparison.Ordinal);
        Assert.DoesNotContain("code=", webhook["url"].ToString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/alerts", webhook["url"].ToString(), StringComparison.Ordinal);
        Assert.Equal("true", webhook["send_resolved"].ToString());
    }
}
