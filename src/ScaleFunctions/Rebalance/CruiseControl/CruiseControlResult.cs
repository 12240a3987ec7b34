namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>How a Cruise Control request ended, short of an error.</summary>
public enum CruiseControlOutcome
{
    /// <summary>Answered (200); <see cref="CruiseControlResult{T}.Value"/> holds the response.</summary>
    Completed,

    /// <summary>Still 202 after the configured polls; the task goes on in Cruise Control under its user task id.</summary>
    Pending,

    /// <summary>Cruise Control has not collected enough metric windows yet (<c>NotEnoughValidWindowsException</c>): not a failure.</summary>
    NotReady,
}

/// <summary>The answer to one (possibly asynchronous) Cruise Control request.</summary>
public sealed record CruiseControlResult<T>(CruiseControlOutcome Outcome, T? Value, string? UserTaskId, string? Detail)
    where T : class
{
    public static CruiseControlResult<T> Completed(T value, string? userTaskId) => new(CruiseControlOutcome.Completed, value, userTaskId, null);

    public static CruiseControlResult<T> Pending(string userTaskId, string? step) => new(CruiseControlOutcome.Pending, null, userTaskId, step);

    public static CruiseControlResult<T> NotReady(string reason) => new(CruiseControlOutcome.NotReady, null, null, reason);
}
