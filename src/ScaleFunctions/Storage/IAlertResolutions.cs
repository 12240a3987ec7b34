using ScaleFunctions.Commands;

namespace ScaleFunctions.Storage;

/// <summary>
/// Remembers alert firing episodes that Alertmanager reported resolved. Intake records them; the executor asks before it
/// acts on (or defers again) a command, and cancels a command whose alerts have all resolved.
/// </summary>
public interface IAlertResolutions
{
    Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken);

    Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken);
}
