using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleFunctions.Execution;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// <c>… -- plan webhook.json</c>: the local host's app, built from its settings and never started, prints the plan for
/// the file — the same answer as POST /api/plan — and writes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PlanCommandLineIntegrationTest(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"webhook-{Guid.NewGuid():N}.json");
    private PlanHost host = null!;

    public async Task InitializeAsync() => host = await PlanHost.StartAsync(azurite);

    public async Task DisposeAsync()
    {
        File.Delete(file);
        await host.DisposeAsync();
    }

    private Task<int> RunAsync(StringWriter output, StringWriter error, params string[] args) => PlanCommandLine.RunAsync(args, output, error, builder =>
    {
        builder.Configuration.AddInMemoryCollection(host.Settings);
        builder.Services.RemoveAll<IKubernetes>();
        builder.Services.AddSingleton<IKubernetes>(_ => host.Api.CreateClient());
        builder.Services.AddSingleton<TimeProvider>(host.Time);
    }, useLocalSettings: false);

    [Fact]
    public async Task Prints_the_plan_for_a_webhook_file_and_writes_nothing()
    {
        var webhook = Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale"));
        await File.WriteAllTextAsync(file, webhook);
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await RunAsync(output, error, file);

        Assert.Equal(0, exit);
        var printed = JsonNode.Parse(output.ToString())!;
        var command = Assert.Single(printed["commands"]!.AsArray())!;
        Assert.Equal(("upScale", "Acted", ReasonCodes.Applied), ((string?)command["command"], (string?)command["outcome"], (string?)command["reasonCode"]));
        Assert.True(JsonNode.DeepEquals(command, (await host.PlanAsync(webhook)).Body["commands"]![0]));
        Assert.DoesNotContain(host.Api.Requests, r => r.IsWrite);
        Assert.Equal(0, await host.QueueLengthAsync());
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(host.Api.GetKafkaCluster()));
    }

    [Fact]
    public async Task A_file_that_is_not_a_webhook_prints_the_intakes_error_and_fails()
    {
        await File.WriteAllTextAsync(file, "{\"alerts\": 3}");
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(1, await RunAsync(output, error, file));
        Assert.Contains("\"error\"", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task A_missing_file_or_argument_is_a_usage_error()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await RunAsync(output, error));
        Assert.Equal(2, await RunAsync(output, error, file));
        Assert.Contains("does not exist", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_without_a_usable_kubeconfig_are_one_line_not_a_stack_trace()
    {
        await File.WriteAllTextAsync(file, Webhooks.Firing(Webhooks.Alert("Overloaded", "upScale")));
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await PlanCommandLine.RunAsync([file], output, error, builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(host.Settings)
        {
            ["Kubernetes:KubeConfigPath"] = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}"),
        }), useLocalSettings: false);

        Assert.Equal(1, exit);
        Assert.StartsWith("plan: the settings cannot be used: ", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Trim().Split('\n'));
    }
}
