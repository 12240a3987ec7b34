using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>
/// The local host's timer runs the same check on the same NCRONTAB schedule as the Functions timer trigger.
/// The fake clock moves only when the timer is waiting, and exactly to the moment it waits for, so every run is
/// observed at the time it was scheduled.
/// </summary>
public sealed class RebalanceTimerTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private sealed class RecordingCheck(TimeProvider time) : IRebalanceCheck
    {
        private readonly Channel<DateTimeOffset> runs = Channel.CreateUnbounded<DateTimeOffset>();

        public Task RunAsync(CancellationToken cancellationToken)
        {
            runs.Writer.TryWrite(time.GetUtcNow());
            return Task.CompletedTask;
        }

        public Task<DateTimeOffset> NextRunAsync() => runs.Reader.ReadAsync().AsTask().WaitAsync(Deadline);

        public bool RanAtAll => runs.Reader.TryPeek(out _);
    }

    private static IServiceScopeFactory Scopes(Func<IServiceProvider, IRebalanceCheck> check) =>
        new ServiceCollection().AddScoped(check).BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    private static IServiceScopeFactory Scopes(IRebalanceCheck check) => Scopes(_ => check);

    private static IConfiguration Settings(string? schedule, bool disabled = false) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RebalanceSchedule"] = schedule,
            [RebalanceTimer.DisabledSetting] = disabled ? "true" : null,
        }).Build();

    [Theory]
    [InlineData(null, "2025-01-01T12:05:00Z", "2025-01-01T12:10:00Z")]
    [InlineData("30 */2 * * * *", "2025-01-01T12:04:30Z", "2025-01-01T12:06:30Z")]
    public async Task Runs_the_check_at_each_occurrence_of_the_schedule(string? schedule, string first, string second)
    {
        var time = new ObservedClock(At("2025-01-01T12:03:10Z"));
        var check = new RecordingCheck(time);
        using var timer = new RebalanceTimer(Scopes(check), Settings(schedule), time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        await time.AdvanceToNextTimerAsync();
        var firstRun = await check.NextRunAsync();
        await time.AdvanceToNextTimerAsync();
        var secondRun = await check.NextRunAsync();
        await timer.StopAsync(CancellationToken.None);

        Assert.Equal([At(first), At(second)], [firstRun, secondRun]);
    }

    [Fact]
    public async Task The_functions_disabled_setting_turns_the_timer_off()
    {
        var time = new ObservedClock(At("2025-01-01T12:03:10Z"));
        var check = new RecordingCheck(time);
        using var timer = new RebalanceTimer(Scopes(check), Settings(null, disabled: true), time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        await timer.ExecuteTask!.WaitAsync(Deadline);
        time.Advance(TimeSpan.FromHours(1));

        Assert.False(check.RanAtAll);
    }

    [Fact]
    public void An_invalid_schedule_fails_at_start()
    {
        Assert.ThrowsAny<Exception>(() => new RebalanceTimer(Scopes(new RecordingCheck(TimeProvider.System)), Settings("every five minutes"), TimeProvider.System, NullLogger<RebalanceTimer>.Instance));
    }

    [Fact]
    public async Task A_check_that_cannot_be_built_fails_its_run_not_the_host_and_the_next_run_still_happens()
    {
        var time = new ObservedClock(At("2025-01-01T12:03:10Z"));
        var check = new RecordingCheck(time);
        var attempts = 0;
        var scopes = Scopes(_ => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("kubeconfig file not found") : check);
        using var timer = new RebalanceTimer(scopes, Settings(null), time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        await time.AdvanceToNextTimerAsync(); // 12:05: the check cannot be built; the timer logs and waits again
        await time.AdvanceToNextTimerAsync(); // 12:10
        var run = await check.NextRunAsync();
        await timer.StopAsync(CancellationToken.None);

        Assert.Equal(2, attempts);
        Assert.Equal(At("2025-01-01T12:10:00Z"), run);
    }
}
