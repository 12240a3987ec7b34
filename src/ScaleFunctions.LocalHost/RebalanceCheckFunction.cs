using Microsoft.Azure.WebJobs;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The rebalance check's timer trigger on the WebJobs SDK, as in the Functions app's <c>RebalanceCheckFunction</c>:
/// the SDK's timer runs it on <c>%RebalanceSchedule%</c>, as a singleton (a blob lease in AzureWebJobsStorage), and
/// runs a missed occurrence at start (past due, from the schedule status it keeps in storage).
/// </summary>
public sealed class RebalanceCheckFunction(IRebalanceCheck check)
{
    [FunctionName(FunctionSwitches.RebalanceCheck)]
    public Task Run([TimerTrigger("%RebalanceSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        check.RunAsync(cancellationToken);
}
