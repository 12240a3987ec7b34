using ScaleFunctions.Storage;

namespace ScaleFunctions.Tests.Storage;

/// <summary>The queue's visibility delay has whole seconds: a deferral is rounded up, never down, so it never comes back early.</summary>
public sealed class QueueVisibilityDelayTest
{
    [Theory]
    [InlineData(0.4, 1)]
    [InlineData(1.0, 1)]
    [InlineData(359.6, 360)]
    [InlineData(60.000001, 61)]
    public void A_fraction_of_a_second_rounds_up(double seconds, int sent) =>
        Assert.Equal(TimeSpan.FromSeconds(sent), StorageCommandQueue.WholeSecondsUp(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void No_delay_stays_no_delay()
    {
        Assert.Null(StorageCommandQueue.WholeSecondsUp(null));
        Assert.Equal(TimeSpan.Zero, StorageCommandQueue.WholeSecondsUp(TimeSpan.Zero));
    }
}
