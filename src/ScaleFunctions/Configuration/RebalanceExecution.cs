namespace ScaleFunctions.Configuration;

/// <summary>How the app starts a rebalance it decided on (<c>Clusters__N__CruiseControl__ExecuteVia</c>).</summary>
public enum RebalanceExecution
{
    /// <summary>Create a Koperator <c>CruiseControlOperation</c> with a <c>rebalance</c> task; the operator runs it.</summary>
    Operator,

    /// <summary>POST <c>rebalance?dryrun=false</c> to Cruise Control.</summary>
    Direct,
}
