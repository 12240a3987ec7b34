using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Intake;

/// <summary>What intake makes of one alert of a webhook. <see cref="AlertInterpreter"/> produces exactly one.</summary>
public abstract record AlertInterpretation(AlertRef Alert);

/// <summary>A firing alert that asks for a valid command on a managed cluster; coalesced into a <see cref="ScaleCommand"/>.</summary>
public sealed record CommandRequest(AlertRef Alert, ClusterRef Cluster, ScaleCommandKind Kind, ScaleTarget Target, ScaleParameters Parameters)
    : AlertInterpretation(Alert);

/// <summary>
/// Not ours: no <c>command</c> annotation, or not a managed cluster. Dropped quietly (counted, not logged).
/// <see cref="Cluster"/> is set only for managed clusters (empty otherwise), so metric tags stay bounded.
/// </summary>
public sealed record IgnoredAlert(AlertRef Alert, string Cluster, string Code, string Reason) : AlertInterpretation(Alert);

/// <summary>Ours but unusable: unknown command, invalid or missing parameter, refused image. Never enqueued.</summary>
public sealed record RejectedAlert(AlertRef Alert, string Cluster, string Command, string Reason) : AlertInterpretation(Alert)
{
    public string Code { get; init; } = IntakeReasonCodes.InvalidAlert;
}

/// <summary>A resolved alert that asked for a command on a managed cluster: recorded in <see cref="IAlertResolutions"/>.</summary>
public sealed record ResolvedAlert(AlertRef Alert, ClusterRef Cluster, string Command) : AlertInterpretation(Alert);
