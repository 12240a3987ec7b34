using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>The local host's timer runs the same check on the same NCRONTAB schedule as the Functions timer trigger.</summary>
public sealed class RebalanceTimerTest
{
    private sealed class RecordingCheck(TimeProvider time) : IRebalanceCheck
    {
        public List<DateTimeOffset> Runs { get; } = [];

        public TaskCompletionSource SecondRun { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RunAsync(CancellationToken cancellationToken)
        {
            lock (Runs)
            {
                Runs.Add(time.GetUtcNow());
                if (Runs.Count == 2)
                {
                    SecondRun.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }
    }

    private static IServiceScopeFactory Scopes(Func<IServiceProvider, IRebalanceCheck> check) =>
        new ServiceCollection().AddScoped(check).BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    private static IServiceScopeFactory Scopes(IRebalanceCheck check) => Scopes(_ => check);

    private static IConfiguration Settings(string? schedule) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RebalanceSchedule"] = schedule }).Build();

    [Theory]
    [InlineData(null, "2025-01-01T12:05:00Z", "2025-01-01T12:10:00Z")]
    [InlineData("30 */2 * * * *", "2025-01-01T12:04:30Z", "2025-01-01T12:06:30Z")]
    public async Task Runs_the_check_at_each_occurrence_of_the_schedule(string? schedule, string first, string second)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T12:03:10Z", System.Globalization.CultureInfo.InvariantCulture));
        var check = new RecordingCheck(time);
        using var timer = new RebalanceTimer(Scopes(check), Settings(schedule), time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!check.SecondRun.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(check.SecondRun.Task, Task.Delay(5));
        }

        await timer.StopAsync(CancellationToken.None);

        Assert.Equal(
            [DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(second, System.Globalization.CultureInfo.InvariantCulture)],
            check.Runs.Take(2));
    }

    [Fact]
    public async Task The_functions_disabled_setting_turns_the_timer_off()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T12:03:10Z", System.Globalization.CultureInfo.InvariantCulture));
        var check = new RecordingCheck(time);
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [RebalanceTimer.DisabledSetting] = "true" }).Build();
        using var timer = new RebalanceTimer(Scopes(check), settings, time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        await timer.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(check.Runs);
    }

    [Fact]
    public void An_invalid_schedule_fails_at_start()
    {
        Assert.ThrowsAny<Exception>(() => new RebalanceTimer(Scopes(new RecordingCheck(TimeProvider.System)), Settings("every five minutes"), TimeProvider.System, NullLogger<RebalanceTimer>.Instance));
    }

    [Fact]
    public async Task A_check_that_cannot_be_built_fails_its_run_not_the_host_and_the_next_run_still_happens()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T12:03:10Z", System.Globalization.CultureInfo.InvariantCulture));
        var check = new RecordingCheck(time);
        var attempts = 0;
        var scopes = Scopes(_ => ++attempts == 1 ? throw new InvalidOperationException("kubeconfig file not found") : check);
        using var timer = new RebalanceTimer(scopes, Settings(null), time, NullLogger<RebalanceTimer>.Instance);

        await timer.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (check.Runs.Count == 0 && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(check.SecondRun.Task, Task.Delay(5));
        }

        await timer.StopAsync(CancellationToken.None);

        Assert.Equal(2, attempts);
        Assert.Equal(DateTimeOffset.Parse("2025-01-01T12:10:00Z", System.Globalization.CultureInfo.InvariantCulture), check.Runs[0]);
    }
}
