using System.ComponentModel.DataAnnotations;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The queue trigger's settings, read from <c>extensions.queues</c> of the app's <c>host.json</c>, with the Functions
/// host's documented defaults for anything host.json leaves out.
/// </summary>
public sealed class QueueListenerOptions
{
    /// <summary>Messages fetched per poll (at most 32, the queue service's limit).</summary>
    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Another batch is fetched when this few messages are still being processed (default: half a batch).</summary>
    [Range(0, 1000)]
    public int? NewBatchThreshold { get; set; }

    /// <summary>The longest wait between polls of an empty queue (back-off starts at 100 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a message whose processing failed stays invisible before it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Attempts before a message moves to the poison queue <c>&lt;queue&gt;-poison</c>.</summary>
    [Range(1, 1000)]
    public int MaxDequeueCount { get; set; } = 5;

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}
