using Microsoft.Azure.WebJobs;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The rebalance check's timer trigger on the WebJobs SDK, as in the Functions app's <c>RebalanceCheckFunction</c>;
/// schedule, singleton lease and past-due runs come from the SDK (docs/local-host.md#what-comes-from-the-sdk).
/// </summary>
public sealed class RebalanceCheckFunction(IRebalanceCheck check)
{
    [FunctionName(FunctionSwitches.RebalanceCheck)]
    public Task Run([TimerTrigger("%RebalanceSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        check.RunAsync(cancellationToken);
}
