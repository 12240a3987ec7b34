namespace ScaleFunctions.Rebalance;

/// <summary>
/// What became of a request to start a rebalance. When <see cref="Started"/>, <see cref="Poll"/> (if any) looks at the
/// execution once and returns true when it has finished (its result is then logged by <see cref="RebalanceResults"/>).
/// </summary>
public sealed record RebalanceStart(bool Started, string Description, Func<CancellationToken, Task<bool>>? Poll = null);
