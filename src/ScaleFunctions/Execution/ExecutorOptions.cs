using System.ComponentModel.DataAnnotations;
using k8s.Models;
using Microsoft.Extensions.Options;

using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Execution;

/// <summary>The executor's guards and behaviour, bound from <c>Executor__*</c> and validated at start-up (docs/executor.md).</summary>
public sealed class ExecutorOptions
{
    /// <summary>Log the full decision and the exact change, write nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>No upScale, addPvc or resizePvc sooner than this after the last one.</summary>
    public TimeSpan ScaleUpCooldown { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>No downScale sooner than this after the last downScale.</summary>
    public TimeSpan ScaleDownCooldown { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Flap guard: no downScale sooner than this after any scale action.</summary>
    public TimeSpan FlapWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Settle window: no upScale or downScale sooner than this after the last broker-count change; such commands are
    /// deferred until it ends, so that alerts caused by the change's data movement resolve and cancel them first.
    /// </summary>
    public TimeSpan SettleWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Strimzi downScale: how long the drain of the broker to remove may take (its KafkaRebalance in remove-brokers
    /// mode). The command lives until then; after it the drain is abandoned (docs/strimzi.md#downscale).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a command put back on the queue (cluster busy) stays invisible before it is tried again.</summary>
    public TimeSpan DeferralDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Largest volume size addPvc may create and resizePvc may grow to (a Kubernetes quantity).</summary>
    public string MaxDiskSize { get; set; } = "1Ti";

    /// <summary>upScale without brokerConfigGroup and without diskSize uses this group when the cluster has it (empty: refuse).</summary>
    public string? DefaultBrokerConfigGroup { get; set; } = "default";

    /// <summary>Mount path of the volume of a broker built from the command when the alert names none.</summary>
    public string DefaultMountPath { get; set; } = "/kafka-logs";

    /// <summary>How many recent command keys and alert keys the cluster's annotations remember (each).</summary>
    [Range(1, 1000)]
    public int RecentKeyLimit { get; set; } = 100;

    /// <summary>How often one command re-reads and decides again after a 409 Conflict before it is retried through the queue.</summary>
    [Range(1, 20)]
    public int ConflictRetries { get; set; } = 5;

    public ResourceQuantity MaxDiskQuantity => new(MaxDiskSize);
}

/// <summary>Start-up validation of <see cref="ExecutorOptions"/>.</summary>
public sealed class ExecutorOptionsValidator : IValidateOptions<ExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutorOptions options)
    {
        var failures = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"Executor: {r.ErrorMessage}"));
        }

        foreach (var (setting, value) in new[]
        {
            ("ScaleUpCooldown", options.ScaleUpCooldown), ("ScaleDownCooldown", options.ScaleDownCooldown),
            ("FlapWindow", options.FlapWindow), ("SettleWindow", options.SettleWindow), ("DeferralDelay", options.DeferralDelay),
        })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromDays(1))
            {
                failures.Add($"Executor:{setting} must be between 0 and 1 day.");
            }
        }

        if (options.DrainTimeout <= TimeSpan.Zero || options.DrainTimeout > TimeSpan.FromDays(7))
        {
            failures.Add("Executor:DrainTimeout must be more than 0 and at most 7 days.");
        }

        if (DiskSize.TryParse(options.MaxDiskSize) is not { } maxDisk)
        {
            failures.Add($"Executor:MaxDiskSize '{options.MaxDiskSize}' is not a Kubernetes quantity (for example 2Ti).");
        }
        else if (maxDisk.ToDecimal() <= 0)
        {
            failures.Add("Executor:MaxDiskSize must be positive.");
        }

        if (!options.DefaultMountPath.StartsWith('/'))
        {
            failures.Add("Executor:DefaultMountPath must be an absolute path.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
