using NCrontab;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The local host's stand-in for the Functions timer trigger: runs the rebalance check on <c>RebalanceSchedule</c>
/// (the same six-field NCRONTAB, in UTC, default every 5 minutes). Runs never overlap: the next occurrence is computed
/// when a run has ended. One local host is one instance; do not run two against the same clusters. Like the Functions
/// host, it resolves the check per run, so a dependency that cannot be built yet (no kubeconfig) fails that run, not start-up.
/// </summary>
public sealed class RebalanceTimer(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, ILogger<RebalanceTimer> logger)
    : BackgroundService
{
    public const string ScheduleSetting = "RebalanceSchedule";
    public const string DefaultSchedule = "0 */5 * * * *";

    /// <summary>The Functions host's switch for one function, honoured here too.</summary>
    public const string DisabledSetting = "AzureWebJobs.rebalance-check.Disabled";

    private readonly CrontabSchedule schedule = CrontabSchedule.Parse(
        configuration[ScheduleSetting] is { Length: > 0 } text ? text : DefaultSchedule,
        new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (new FunctionSwitches(configuration).IsDisabled(FunctionSwitches.RebalanceCheck))
        {
            logger.LogInformation("The rebalance check is disabled ({Setting})", DisabledSetting);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            await Task.Delay(next - now, time, stoppingToken);
            try
            {
                using var scope = scopes.CreateScope();
                await scope.ServiceProvider.GetRequiredService<IRebalanceCheck>().RunAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "The rebalance check failed; next run at the next occurrence of {Schedule}", schedule);
            }
        }
    }
}
