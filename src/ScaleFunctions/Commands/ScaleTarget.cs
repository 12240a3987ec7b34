namespace ScaleFunctions.Commands;

/// <summary>
/// What inside the cluster a command is about: the broker a downScale removes (label <c>brokerId</c>) or the volume
/// addPvc/resizePvc acts on (label <c>persistentvolumeclaim</c>). Both null means "the cluster as a whole".
/// </summary>
public sealed record ScaleTarget(int? BrokerId = null, string? PersistentVolumeClaim = null)
{
    public static ScaleTarget Cluster { get; } = new();

    public override string ToString() =>
        BrokerId is { } id ? $"broker {id}" : PersistentVolumeClaim is { } pvc ? $"pvc {pvc}" : "cluster";
}
