namespace ScaleFunctions.Rebalance;

/// <summary>Whether a proposal is worth executing, and why (the reason goes into the decision log as is).</summary>
public sealed record RebalanceDecision(bool Rebalance, string Reason);
