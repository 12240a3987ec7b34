namespace ScaleFunctions.Intake;

/// <summary>The reason codes of intake's decisions (the executor's are in <c>Execution.ReasonCodes</c>); docs/intake.md lists them.</summary>
public static class IntakeReasonCodes
{
    // Acted
    public const string Enqueued = "Enqueued";

    // Ignored
    public const string NoCommand = "NoCommand";
    public const string NoClusterLabels = "NoClusterLabels";
    public const string NotManaged = "NotManaged";
    public const string Resolved = "Resolved";

    // Refused
    public const string InvalidAlert = "InvalidAlert";
    public const string InternalError = "InternalError";
    public const string StorageRefused = "StorageRefused";
}
