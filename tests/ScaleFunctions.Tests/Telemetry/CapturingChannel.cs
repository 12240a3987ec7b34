using System.Collections.Concurrent;
using Microsoft.ApplicationInsights.Channel;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>Application Insights' channel replaced by a capture: every telemetry item the app would send.</summary>
internal sealed class CapturingChannel(ConcurrentQueue<ITelemetry> sent) : ITelemetryChannel
{
    public bool? DeveloperMode { get; set; }

    public string EndpointAddress { get; set; } = "";

    public void Send(ITelemetry item) => sent.Enqueue(item);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
