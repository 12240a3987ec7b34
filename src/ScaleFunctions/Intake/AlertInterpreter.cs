using System.Buffers;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Intake;

/// <summary>
/// Makes exactly one <see cref="AlertInterpretation"/> of one alert: ignored (not ours), rejected (ours but unusable,
/// with every reason found), resolved, or a command request (docs/intake.md#which-alerts-become-commands).
/// </summary>
public sealed partial class AlertInterpreter(IOptions<IntakeOptions> options, ManagedClusters clusters)
{
    private const int MaxAlertNameLength = 256;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public AlertInterpretation Interpret(Alert alert, string? webhookStatus)
    {
        var fingerprint = string.IsNullOrEmpty(alert.Fingerprint) ? AlertFingerprint.Of(alert.Labels) : alert.Fingerprint;
        var alertRef = new AlertRef(fingerprint, alert.AlertName, alert.StartsAt ?? default);
        var settings = options.Value;

        alert.Labels.TryGetValue(settings.NamespaceLabel, out var @namespace);
        alert.Labels.TryGetValue(settings.ClusterLabel, out var name);
        var managed = string.IsNullOrEmpty(@namespace) || string.IsNullOrEmpty(name) ? null : clusters.Find(@namespace, name);
        if (!alert.Annotations.TryGetValue("command", out var command) || string.IsNullOrWhiteSpace(command))
        {
            return new IgnoredAlert(alertRef, managed is null ? "" : managed.Ref.ToString(), IntakeReasonCodes.NoCommand, "no command annotation.");
        }

        if (string.IsNullOrEmpty(@namespace) || string.IsNullOrEmpty(name))
        {
            // It asks for a command, so someone means it to scale a cluster: a rule that aggregates the cluster labels
            // away (the seed's avg(sum by(brokerId, …))) must show up, not do nothing quietly.
            var missing = string.Join(" and ", new[] { (settings.NamespaceLabel, @namespace), (settings.ClusterLabel, name) }
                .Where(l => string.IsNullOrEmpty(l.Item2)).Select(l => $"'{l.Item1}'"));
            return new RejectedAlert(alertRef, "", ScaleCommandNames.TryParse(command, out var asked) ? ScaleCommandNames.Of(asked) : "",
                $"it has a command annotation but no {missing} label, so the cluster cannot be found; keep the cluster labels in the rule's expression (see docs/alert-rules.md).")
            {
                Code = IntakeReasonCodes.NoClusterLabels,
            };
        }

        if (managed is null)
        {
            return new IgnoredAlert(alertRef, "", IntakeReasonCodes.NotManaged, $"cluster {Excerpt.Of(@namespace)}/{Excerpt.Of(name)} is not managed by this app.");
        }

        var cluster = managed.Ref;
        var known = ScaleCommandNames.TryParse(command, out var kind);
        var commandName = known ? ScaleCommandNames.Of(kind) : "";
        var problems = Problems(alert, alertRef);

        switch (alert.Status ?? webhookStatus)
        {
            case "resolved":
                return problems.Count == 0
                    ? new ResolvedAlert(alertRef, cluster, commandName)
                    : new RejectedAlert(alertRef, cluster.ToString(), commandName, string.Join(" ", problems));
            case "firing":
                break;
            default:
                problems.Insert(0, $"status '{Excerpt.Of(alert.Status ?? webhookStatus)}' is neither firing nor resolved.");
                break;
        }

        if (!known)
        {
            problems.Insert(0, $"unknown command '{Excerpt.Of(command)}' (case-sensitive: upScale, downScale, addPvc, resizePvc).");
        }
        else if (problems.Count == 0)
        {
            var reading = new ScaleParameterReader(settings).Read(kind, alert, managed.Kind);
            if (reading.IsValid)
            {
                return new CommandRequest(alertRef, cluster, kind, reading.Target, reading.Parameters);
            }

            problems.AddRange(reading.Errors);
        }

        return new RejectedAlert(alertRef, cluster.ToString(), commandName, string.Join(" ", problems));
    }

    // A valid alert (the common case) gets an empty list: no iterator, no array.
    private static List<string> Problems(Alert alert, AlertRef alertRef)
    {
        var problems = new List<string>(0);
        if (!IsFingerprint(alertRef.Fingerprint))
        {
            problems.Add($"fingerprint '{Excerpt.Of(alertRef.Fingerprint)}' is not 16 hex digits, as Alertmanager writes it.");
        }

        if (alert.StartsAt is null || alert.StartsAt == default(DateTimeOffset))
        {
            problems.Add("startsAt is missing.");
        }

        if (alertRef.AlertName.Length > MaxAlertNameLength)
        {
            problems.Add($"alertname is longer than {MaxAlertNameLength} characters.");
        }

        return problems;
    }

    private static bool IsFingerprint(string value) => value.Length == 16 && !value.AsSpan().ContainsAnyExcept(HexDigits);
}

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
