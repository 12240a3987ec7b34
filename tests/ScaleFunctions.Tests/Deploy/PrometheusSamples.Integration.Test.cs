using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>The Prometheus samples in deploy/prometheus/ pass Debian's <c>promtool check config</c>.</summary>
public sealed class PrometheusSamplesIntegrationTest : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("prometheus-samples-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task The_prometheus_yml_sample_is_valid()
    {
        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "check", "config", ReferenceFiles.InRepository("deploy/prometheus/prometheus.yml"));

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_samples_additional_alertmanager_config_is_valid()
    {
        var sample = await File.ReadAllTextAsync(ReferenceFiles.InRepository("deploy/prometheus/prometheus-operator.yaml"));
        var start = sample.IndexOf("  alertmanagers.yaml: |\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "the sample's Secret has alertmanagers.yaml");
        var lines = sample[(start + "  alertmanagers.yaml: |\n".Length)..].Split('\n').TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal));
        var config = "alerting:\n  alertmanagers:\n" + string.Join('\n', lines.Select(l => l[2..])) + "\n";
        var file = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(file, config);

        var (exitCode, output) = await Tools.RunAsync(Tools.Find("promtool"), "check", "config", file);

        Assert.True(exitCode == 0, config + output);
        Assert.Contains("path_prefix: /", config, StringComparison.Ordinal);
    }
}
