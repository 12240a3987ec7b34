using ScaleFunctions.Intake;
using ScaleFunctions.Tests.Operations;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>
/// App settings the Bicep gives the Functions host itself (infra/snapshots): its request body limit, which it enforces
/// before the app's own 413, comes from the same parameter as <c>Intake__MaxBodyBytes</c>; and the .NET isolated
/// worker starts without the placeholder (the workaround for azure-functions-dotnet-worker#3335).
/// </summary>
public sealed class HostSettingsTest
{
    [Theory]
    [InlineData("defaults", 1024 * 1024)]          // the parameter's default, the app's own default
    [InlineData("all-features", 2 * 1024 * 1024)]  // maxWebhookBodyBytes = 2097152
    public void The_hosts_body_limit_and_the_apps_are_one_value(string snapshot, long expected)
    {
        var deployed = DeployedSettings.Load(snapshot).Values;

        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), deployed["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"]);
        Assert.Equal(deployed["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"], deployed["Intake__MaxBodyBytes"]);
    }

    [Fact]
    public void The_default_limit_is_the_apps_default()
    {
        Assert.Equal(new IntakeOptions().MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DeployedSettings.Load("defaults").Values["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"]);
    }

    [Theory]
    [InlineData("defaults")]
    [InlineData("all-features")]
    public void The_isolated_worker_starts_without_the_placeholder(string snapshot)
    {
        Assert.Equal("0", DeployedSettings.Load(snapshot).Values["WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED"]);
    }
}
