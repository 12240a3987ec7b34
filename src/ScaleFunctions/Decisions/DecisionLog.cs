using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Decisions;

/// <summary>
/// The one place decisions are recorded: a structured log event (<c>EventId 1000 "Decision"</c>) with cluster, command,
/// fingerprints, outcome and reason, plus the <c>scalefunctions.decisions</c> counter and the alert-to-action latency
/// histogram. Reasons are written by this codebase, never copied from a request's credentials.
/// </summary>
public sealed class DecisionLog(ILogger<DecisionLog> logger, ScaleFunctionsMetrics metrics)
{
    public static readonly EventId DecisionEvent = new(1000, "Decision");

    public void Record(Decision decision)
    {
        var level = decision.Outcome switch
        {
            DecisionOutcome.Ignored => LogLevel.Debug,
            DecisionOutcome.Refused => LogLevel.Warning,
            _ => LogLevel.Information,
        };

        logger.Log(
            level,
            DecisionEvent,
            "Decision {Stage} {Outcome}: cluster {Cluster}, command {Command}, fingerprints {Fingerprints}, key {CommandKey}: {Reason}",
            decision.Stage,
            decision.Outcome,
            decision.Cluster,
            decision.Command,
            string.Join(",", decision.Fingerprints),
            decision.CommandKey ?? "",
            decision.Reason);

        var tags = new TagList
        {
            { "stage", decision.Stage },
            { "cluster", decision.Cluster },
            { "command", decision.Command },
            { "outcome", decision.Outcome.ToString() },
        };
        metrics.Decisions.Add(1, tags);
        if (decision.LatencySeconds is { } latency)
        {
            metrics.AlertToActionSeconds.Record(latency, tags);
        }
    }
}
