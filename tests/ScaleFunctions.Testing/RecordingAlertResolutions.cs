using System.Collections.Concurrent;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Testing;

/// <summary>An in-memory <see cref="IAlertResolutions"/>.</summary>
public sealed class RecordingAlertResolutions : IAlertResolutions
{
    private readonly ConcurrentDictionary<(ClusterRef Cluster, string Key), AlertRef> resolved = new();

    public IReadOnlyList<AlertRef> Resolved => [.. resolved.Values];

    public Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
    {
        foreach (var alert in alerts)
        {
            resolved[(cluster, alert.Key)] = alert;
        }

        return Task.CompletedTask;
    }

    public Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken) =>
        Task.FromResult(alerts.Count > 0 && alerts.All(a => resolved.ContainsKey((cluster, a.Key))));
}
