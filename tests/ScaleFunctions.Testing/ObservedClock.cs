using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ScaleFunctions.Testing;

/// <summary>
/// A fake clock that reports each timer the code under test starts, so a test moves time only when the code waits,
/// and exactly to the moment it waits for — never blindly, which would also fire the timeouts of requests in flight.
/// </summary>
public sealed class ObservedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly Channel<TimeSpan> waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until the code starts a timer, then moves the clock to the moment it waits for.</summary>
    public async Task AdvanceToNextTimerAsync() => Advance(await waits.Reader.ReadAsync().AsTask().WaitAsync(Deadline));

    /// <summary>
    /// Waits until the code starts a timer of exactly <paramref name="dueTime"/> (others, such as request timeouts,
    /// are passed over and left running), then moves the clock by that much.
    /// </summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan dueTime)
    {
        await WaitUntilWaitingAsync(dueTime);
        Advance(dueTime);
    }

    /// <summary>
    /// Waits until the code starts a timer of exactly <paramref name="dueTime"/> (others are passed over), without moving
    /// the clock: the test can change the world while the code waits, then <see cref="FakeTimeProvider.Advance"/>.
    /// </summary>
    public async Task WaitUntilWaitingAsync(TimeSpan dueTime)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (await waits.Reader.ReadAsync(deadline.Token) != dueTime)
        {
        }
    }
}
