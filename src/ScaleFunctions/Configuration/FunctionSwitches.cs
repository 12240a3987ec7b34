using Microsoft.Extensions.Configuration;

namespace ScaleFunctions.Configuration;

/// <summary>
/// Which of the app's functions run: the Functions host's switch <c>AzureWebJobs.&lt;function&gt;.Disabled</c> (also
/// spelled <c>AzureWebJobs_&lt;function&gt;_Disabled</c> or <c>AzureWebJobs__&lt;function&gt;__Disabled</c> where app settings
/// cannot hold dots), true or 1. Start-up validation and health checks ask only about the features that run.
/// </summary>
public sealed class FunctionSwitches(IConfiguration configuration)
{
    /// <summary>The executor's queue trigger.</summary>
    public const string ScaleCommands = "scale-commands";

    /// <summary>The rebalance check's timer trigger.</summary>
    public const string RebalanceCheck = "rebalance-check";

    public static string DisabledSetting(string function) => $"AzureWebJobs.{function}.Disabled";

    public bool IsDisabled(string function) =>
        new[] { $"AzureWebJobs.{function}.Disabled", $"AzureWebJobs_{function}_Disabled", $"AzureWebJobs:{function}:Disabled" }
            .Any(setting => configuration[setting] is { } value && (bool.TryParse(value, out var on) ? on : value.Trim() == "1"));

    public bool ExecutorEnabled => !IsDisabled(ScaleCommands);

    public bool RebalanceCheckEnabled => !IsDisabled(RebalanceCheck);

    /// <summary>Kubernetes and Cruise Control are used by the executor and the rebalance check, by nothing else.</summary>
    public bool UsesClusters => ExecutorEnabled || RebalanceCheckEnabled;

    /// <summary>Names the enabled features that use Kubernetes, for messages: "the executor (scale-commands) and …".</summary>
    public string EnabledClusterFeatures => string.Join(" and ", new[]
    {
        ExecutorEnabled ? $"the executor ({ScaleCommands})" : null,
        RebalanceCheckEnabled ? $"the rebalance check ({RebalanceCheck})" : null,
    }.OfType<string>());

    /// <summary>Why a Kubernetes or Cruise Control health check has nothing to check.</summary>
    public string DisabledReason =>
        $"Disabled: the executor ({DisabledSetting(ScaleCommands)}) and the rebalance check ({DisabledSetting(RebalanceCheck)}) are off; nothing uses this";
}
