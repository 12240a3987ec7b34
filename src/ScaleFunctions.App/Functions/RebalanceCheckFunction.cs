using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance;

namespace ScaleFunctions.App.Functions;

/// <summary>
/// The rebalance check's timer trigger, every <c>RebalanceSchedule</c>; the host runs it as a singleton across
/// instances, never overlapping itself (docs/rebalance.md#never-two-at-once).
/// </summary>
public sealed class RebalanceCheckFunction(IRebalanceCheck check)
{
    [Function(FunctionSwitches.RebalanceCheck)]
    public Task Run([TimerTrigger("%RebalanceSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        check.RunAsync(cancellationToken);
}
