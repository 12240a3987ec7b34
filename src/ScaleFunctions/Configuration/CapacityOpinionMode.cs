namespace ScaleFunctions.Configuration;

/// <summary>
/// What the executor does with Cruise Control's capacity opinion (<c>provisionStatus</c> of its proposals) before an
/// <c>upScale</c> or <c>downScale</c> (<c>CruiseControl__CapacityOpinion</c>, per cluster
/// <c>Clusters__N__CruiseControl__CapacityOpinion</c>; docs/executor.md, "A second opinion before removing a broker").
/// </summary>
public enum CapacityOpinionMode
{
    /// <summary>Do not ask.</summary>
    Off,

    /// <summary>Ask and record the opinion in the decision's reason; never change the decision because of it.</summary>
    Advise,

    /// <summary>As <see cref="Advise"/>, and refuse a <c>downScale</c> while Cruise Control says UNDER_PROVISIONED (defer it while Cruise Control cannot say).</summary>
    Enforce,
}
