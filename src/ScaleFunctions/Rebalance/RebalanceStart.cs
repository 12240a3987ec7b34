namespace ScaleFunctions.Rebalance;

/// <summary>
/// What became of a request to start a rebalance. When <see cref="Started"/>, <see cref="Poll"/> (if any) looks at the
/// execution once and returns its final result, or null while it still runs.
/// </summary>
public sealed record RebalanceStart(bool Started, string Description, Func<CancellationToken, Task<string?>>? Poll = null);
