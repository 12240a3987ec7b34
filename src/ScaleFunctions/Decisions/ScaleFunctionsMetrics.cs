using System.Diagnostics.Metrics;

namespace ScaleFunctions.Decisions;

/// <summary>The app's meter (<c>ScaleFunctions</c>): decisions by outcome and alert-to-action latency.</summary>
public sealed class ScaleFunctionsMetrics : IDisposable
{
    public const string MeterName = "ScaleFunctions";

    private readonly Meter meter;

    public ScaleFunctionsMetrics(IMeterFactory meterFactory)
    {
        meter = meterFactory.Create(MeterName);
        Decisions = meter.CreateCounter<long>("scalefunctions.decisions", unit: "{decision}", description: "Decisions by stage, cluster, command and outcome.");
        AlertToActionSeconds = meter.CreateHistogram<double>("scalefunctions.alert_to_action", unit: "s", description: "Time from intake of an alert to the executor's decision.");
    }

    public Counter<long> Decisions { get; }

    public Histogram<double> AlertToActionSeconds { get; }

    public void Dispose() => meter.Dispose();
}
