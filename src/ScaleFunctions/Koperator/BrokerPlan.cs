namespace ScaleFunctions.Koperator;

/// <summary>
/// What a planner made of a command on a copy of the cluster: a change (the copy now holds it), nothing to do because
/// it is already there, or a refusal with its reason code.
/// </summary>
public sealed record BrokerPlan(string Summary, int? BrokerId = null, string? RefusalCode = null, bool AlreadyApplied = false)
{
    public bool IsChange => RefusalCode is null && !AlreadyApplied;

    public static BrokerPlan Change(int brokerId, string summary) => new(summary, brokerId);

    public static BrokerPlan Refuse(string code, string reason) => new(reason, RefusalCode: code);

    public static BrokerPlan NothingToDo(int brokerId, string reason) => new(reason, brokerId, AlreadyApplied: true);
}
