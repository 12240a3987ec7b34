using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Decisions;

/// <summary>
/// The one place decisions are recorded, by intake, executor and rebalance check alike: one structured log event
/// (<c>EventId 1000 "Decision"</c>) and the decision metrics each (docs/intake.md#logs-and-metrics). Values may come
/// from webhooks, so every one is cut and stripped of control characters here, whatever the caller did.
/// </summary>
public sealed partial class DecisionLog(ILogger<DecisionLog> logger, ScaleFunctionsMetrics metrics)
{
    public static readonly EventId DecisionEvent = new(1000, "Decision");

    /// <summary>The <c>cluster</c> metric value of decisions about alerts for no managed cluster (bounded cardinality).</summary>
    public const string UnmanagedCluster = "unmanaged";

    /// <summary>At most this many fingerprints are written per decision; the rest are counted.</summary>
    public const int MaxFingerprints = 32;

    public const int MaxReasonLength = 2048;

    // A namespace (63) and a resource name (253): a managed cluster is never cut.
    private const int MaxClusterLength = 320;

    public void Record(Decision decision)
    {
        var level = decision.Outcome == DecisionOutcome.Refused ? LogLevel.Warning : LogLevel.Information;
        var fingerprints = string.Join(",", decision.Fingerprints.Take(MaxFingerprints).Select(Excerpt.Of));
        if (decision.Fingerprints.Count > MaxFingerprints)
        {
            fingerprints += $" (+{decision.Fingerprints.Count - MaxFingerprints} more)";
        }

        LogDecision(
            logger,
            level,
            Excerpt.Of(decision.Stage),
            decision.Outcome,
            Excerpt.Of(decision.ReasonCode),
            Excerpt.Text(decision.Cluster, MaxClusterLength),
            Excerpt.Of(decision.Command),
            fingerprints,
            Excerpt.Of(decision.CommandKey),
            Excerpt.Text(decision.Reason, MaxReasonLength));
        Count(decision);
    }

    /// <summary>
    /// Counts a decision without a log line: for alerts that are not about scaling a managed cluster, which an
    /// Alertmanager routing every alert here would otherwise turn into log spam.
    /// </summary>
    public void Count(Decision decision)
    {
        var tags = new TagList
        {
            { "stage", decision.Stage },
            { "cluster", string.IsNullOrEmpty(decision.Cluster) ? UnmanagedCluster : decision.Cluster },
            { "command", decision.Command },
            { "outcome", decision.Outcome.ToString() },
        };
        metrics.Decisions.Add(1, tags);
        if (decision.LatencySeconds is { } latency)
        {
            metrics.AlertToActionSeconds.Record(latency, tags);
        }
    }

    [LoggerMessage(EventId = 1000, EventName = "Decision",
        Message = "Decision {Stage} {Outcome} {ReasonCode}: cluster {Cluster}, command {Command}, fingerprints {Fingerprints}, key {CommandKey}: {Reason}")]
    private static partial void LogDecision(
        ILogger logger, LogLevel level, string stage, DecisionOutcome outcome, string reasonCode, string cluster, string command,
        string fingerprints, string commandKey, string reason);
}

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
