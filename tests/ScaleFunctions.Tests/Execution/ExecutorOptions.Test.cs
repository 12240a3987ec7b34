using ScaleFunctions.Execution;

namespace ScaleFunctions.Tests.Execution;

/// <summary>Start-up validation of the executor's settings: a wrong value is a message naming the setting, never an exception.</summary>
public sealed class ExecutorOptionsTest
{
    [Theory]
    [InlineData("NaN")]
    [InlineData("NaNGi")]
    [InlineData("1e400")]
    [InlineData("1E3Gi")]
    [InlineData("lots")]
    public void A_max_disk_size_that_is_not_a_quantity_is_named(string value)
    {
        var result = new ExecutorOptionsValidator().Validate(null, new ExecutorOptions { MaxDiskSize = value });

        Assert.Equal($"Executor:MaxDiskSize '{value}' is not a Kubernetes quantity (for example 2Ti).", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1Ti")]
    public void A_max_disk_size_must_be_positive(string value) =>
        Assert.Equal("Executor:MaxDiskSize must be positive.", Assert.Single(new ExecutorOptionsValidator().Validate(null, new ExecutorOptions { MaxDiskSize = value }).Failures!));

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("1.00:00:01")]
    public void A_settle_window_outside_0_to_1_day_stops_the_app(string value)
    {
        var result = new ExecutorOptionsValidator().Validate(null, new ExecutorOptions { SettleWindow = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Executor:SettleWindow", StringComparison.Ordinal));
    }

    [Fact]
    public void The_settle_window_defaults_to_five_minutes() =>
        Assert.Equal(TimeSpan.FromMinutes(5), new ExecutorOptions().SettleWindow);
}
