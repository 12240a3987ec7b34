using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Testing;

/// <summary>Records the <c>scalefunctions.decisions</c> counter of one app instance (its own meter, not other tests').</summary>
public sealed class DecisionCounter : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string?>> measurements = new();

    public DecisionCounter(ScaleFunctionsMetrics metrics)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, metrics.Decisions))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value?.ToString();
            }

            for (var i = 0; i < value; i++)
            {
                measurements.Enqueue(map);
            }
        });
        listener.Start();
    }

    /// <summary>One entry per counted decision: its tags (stage, cluster, command, outcome).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Measurements => [.. measurements];

    public void Dispose() => listener.Dispose();
}
