using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// Every <c>RebalanceSchedule</c> (NCRONTAB with seconds, default every 5 minutes): the rebalance check. Timer triggers
/// are singletons across instances (a blob lease in AzureWebJobsStorage), and a run that outlasts its interval delays
/// the next one instead of overlapping it.
/// </summary>
public sealed class RebalanceCheckFunction(IRebalanceCheck check)
{
    [Function(FunctionSwitches.RebalanceCheck)]
    public Task Run([TimerTrigger("%RebalanceSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        check.RunAsync(cancellationToken);
}
