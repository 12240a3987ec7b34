using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ScaleFunctions.Intake;

/// <summary>Alert intake settings, section <c>Intake</c> (<c>Intake__ClusterLabel</c>, …). See docs/intake.md.</summary>
public sealed class IntakeOptions
{
    public const string Section = "Intake";
    private const string LabelName = "^[a-zA-Z_][a-zA-Z0-9_]*$";

    /// <summary>The alert label naming the cluster resource (Koperator's <c>kafka_cr</c>).</summary>
    [Required, RegularExpression(LabelName, ErrorMessage = "ClusterLabel must be a Prometheus label name.")]
    public string ClusterLabel { get; set; } = "kafka_cr";

    /// <summary>The alert label naming the cluster's namespace.</summary>
    [Required, RegularExpression(LabelName, ErrorMessage = "NamespaceLabel must be a Prometheus label name.")]
    public string NamespaceLabel { get; set; } = "namespace";

    /// <summary>
    /// Image references an alert's <c>image</c> annotation may start with; each ends with <c>/</c>, <c>:</c> or
    /// <c>@</c> so that <c>registry/team/</c> does not also allow <c>registry/team-evil/</c>. Empty: images refused.
    /// </summary>
    public List<string> AllowedImagePrefixes { get; } = [];

    /// <summary>Whether the <c>brokerAnnotations</c> annotation is honoured at all (off: such alerts are rejected).</summary>
    public bool AllowBrokerAnnotations { get; set; }

    /// <summary>Bodies above this size are answered with 413.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// A webhook with more alerts is refused with 413 before anything is recorded or enqueued (Alertmanager's
    /// <c>max_alerts</c> keeps a notification below it). Bounds the storage work and the log lines of one request.
    /// </summary>
    [Range(1, 50_000)]
    public int MaxAlertsPerWebhook { get; set; } = 2_000;

    /// <summary>A webhook that would enqueue more commands (distinct cluster, command, target) is refused with 413.</summary>
    [Range(1, 1_000)]
    public int MaxCommandsPerWebhook { get; set; } = 100;

    /// <summary>How long a command stays valid: <c>ExpiresAt = CreatedAt + CommandTtl</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan CommandTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The Azure Table in which resolved alerts are recorded.</summary>
    [Required, RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "ResolutionsTable must be a valid Azure Table name.")]
    public string ResolutionsTable { get; set; } = "resolvedalerts";

    /// <summary>How long one webhook may spend on storage (queue and table) before it is answered with 503.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// For alerts pushed the way Prometheus pushes them (no <c>status</c>): how far in this app's future an <c>endsAt</c>
    /// may be and still mean resolved, so that a resolution counts when this clock runs behind Prometheus'. Keep it well
    /// below 4 × max(resend delay, evaluation interval), how far ahead Prometheus sets a firing alert's <c>endsAt</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:02:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Start-up checks of <see cref="IntakeOptions"/> that attributes cannot express.</summary>
public sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedImagePrefixes.Count; i++)
        {
            var prefix = options.AllowedImagePrefixes[i];
            if (string.IsNullOrWhiteSpace(prefix) || prefix.Any(char.IsWhiteSpace) || prefix[^1] is not ('/' or ':' or '@'))
            {
                failures.Add($"Intake:AllowedImagePrefixes:{i} must be non-empty, without spaces, and end with '/', ':' or '@' (for example 'ghcr.io/adobe/koperator/kafka:').");
            }
        }

        if (string.Equals(options.ClusterLabel, options.NamespaceLabel, StringComparison.Ordinal))
        {
            failures.Add("Intake:ClusterLabel and Intake:NamespaceLabel must differ.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
