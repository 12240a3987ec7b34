using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class IntakeOptionsTest
{
    private static OptionsValidationException Invalid<TOptions>(Dictionary<string, string?> settings)
        where TOptions : class
    {
        using var harness = new IntakeHarness(settings);
        return Assert.Throws<OptionsValidationException>(() => harness.Services.GetRequiredService<IOptions<TOptions>>().Value);
    }

    [Fact]
    public void Has_the_documented_defaults()
    {
        using var harness = new IntakeHarness();
        var options = harness.Services.GetRequiredService<IOptions<IntakeOptions>>().Value;

        Assert.Equal("kafka_cr", options.ClusterLabel);
        Assert.Equal("namespace", options.NamespaceLabel);
        Assert.Empty(options.AllowedImagePrefixes);
        Assert.False(options.AllowBrokerAnnotations);
        Assert.Equal(1024 * 1024, options.MaxBodyBytes);
        Assert.Equal(TimeSpan.FromMinutes(15), options.CommandTtl);
        Assert.Equal("resolvedalerts", options.ResolutionsTable);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StorageTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ClockSkew);
        Assert.Equal(2_000, options.MaxAlertsPerWebhook);
        Assert.Equal(100, options.MaxCommandsPerWebhook);
        Assert.Equal("scale-commands", harness.Services.GetRequiredService<IOptions<CommandQueueOptions>>().Value.Name);
    }

    [Theory]
    [InlineData("Intake:AllowedImagePrefixes:0", "ghcr.io/adobe", "must be non-empty, without spaces, and end with")]
    [InlineData("Intake:AllowedImagePrefixes:0", "ghcr.io/adobe /", "must be non-empty, without spaces, and end with")]
    [InlineData("Intake:ClusterLabel", "kafka-cr", "ClusterLabel must be a Prometheus label name")]
    [InlineData("Intake:NamespaceLabel", "kafka_cr", "must differ")]
    [InlineData("Intake:MaxBodyBytes", "10", "MaxBodyBytes")]
    [InlineData("Intake:MaxAlertsPerWebhook", "0", "MaxAlertsPerWebhook")]
    [InlineData("Intake:MaxAlertsPerWebhook", "50001", "MaxAlertsPerWebhook")]
    [InlineData("Intake:MaxCommandsPerWebhook", "0", "MaxCommandsPerWebhook")]
    [InlineData("Intake:MaxCommandsPerWebhook", "1001", "MaxCommandsPerWebhook")]
    [InlineData("Intake:CommandTtl", "00:00:10", "CommandTtl")]
    [InlineData("Intake:ResolutionsTable", "resolved-alerts", "ResolutionsTable")]
    [InlineData("Intake:ClockSkew", "-00:00:01", "ClockSkew")]
    [InlineData("Intake:ClockSkew", "00:02:01", "ClockSkew")]
    public void Refuses_invalid_intake_settings(string key, string value, string message)
    {
        var error = Invalid<IntakeOptions>(new() { [key] = value });

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Scale-Commands")]
    [InlineData("scale--commands")]
    [InlineData("ab")]
    [InlineData("a-queue-name-that-is-too-long-for-its-poison-queue-name-x")]
    public void Refuses_queue_names_the_poison_queue_could_not_follow(string name)
    {
        var error = Invalid<CommandQueueOptions>(new() { ["ScaleCommandQueue"] = name });

        Assert.Contains("ScaleCommandQueue", error.Message, StringComparison.Ordinal);
    }
}
