namespace ScaleFunctions.Rebalance;

/// <summary>Checks every managed cluster with Cruise Control and starts a rebalance where one is worth it.</summary>
public interface IRebalanceCheck
{
    Task RunAsync(CancellationToken cancellationToken);
}
