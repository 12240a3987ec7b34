namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// Cross-checks the app settings the Bicep deploys (infra/snapshots/all-features: every optional part switched on)
/// against the configuration the code reads: every deployed setting is read by the app or its host, and the app's
/// start-up validation passes with exactly the deployed settings. When a feature adds or renames an option, these
/// tests name the setting to add to, or remove from, infra/main.bicep.
/// </summary>
public sealed class DeployedSettingsTest
{
    private const string Snapshot = "all-features";

    /// <summary>Read by the Functions host, its extensions or the Application Insights packages, not by options classes.</summary>
    private static readonly string[] HostSettings =
    [
        "AzureWebJobsStorage:credential", "AzureWebJobsStorage:clientId", "AzureWebJobsStorage:blobServiceUri",
        "AzureWebJobsStorage:queueServiceUri", "AzureWebJobsStorage:tableServiceUri",
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
    ];

    /// <summary>Settings Flex Consumption rejects: it takes the runtime from <c>functionAppConfig</c> instead.</summary>
    private static readonly string[] RejectedByFlexConsumption =
        ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE"];

    /// <summary>Flat settings that trigger attributes name: <c>%ScaleCommandQueue%</c>, <c>%RebalanceSchedule%</c>.</summary>
    private static readonly string[] TriggerSettings = ["ScaleCommandQueue", "RebalanceSchedule"];

    /// <summary>
    /// Sections that features bring with their options. While no code at all reads a section (its feature is not
    /// merged yet), its deployed settings are listed as awaiting code instead of failing; as soon as any of its keys is
    /// read, every deployed key in it must be read too.
    /// </summary>
    private static readonly string[] FeatureSections =
        ["Intake", "Auth", "Executor", "Kubernetes", "Rebalance", "CruiseControl", "Clusters:*:CruiseControl"];

    private static readonly DeployedSettings Deployed = DeployedSettings.Load(Snapshot);

    [Fact]
    public void The_snapshot_deploys_storage_telemetry_queue_and_clusters()
    {
        foreach (var name in new[]
        {
            "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__queueServiceUri",
            "AzureWebJobsStorage__tableServiceUri", "AzureWebJobsStorage__blobServiceUri",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "ScaleCommandQueue",
            "Clusters__0__Namespace", "Clusters__1__MaxBrokers", "Kubernetes__Mode", "Auth__BearerToken",
        })
        {
            Assert.Contains(name, Deployed.Values.Keys);
        }

        Assert.Equal("managedidentity", Deployed.Values["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain(Deployed.Values.Keys, k => RejectedByFlexConsumption.Contains(k, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_deployed_setting_is_read_by_the_app_or_its_host()
    {
        var read = SettingsTheCodeReads.With(Deployed.AsConfiguration());

        var (unread, awaiting) = Unread(Deployed.Values.Keys, read.Keys);

        Assert.True(unread.Count == 0,
            $"Deployed by infra/main.bicep but read by no code (remove them, or fix their names): {string.Join(", ", unread)}." +
            $"\nKeys the code reads: {string.Join(", ", read.Keys.Order())}" +
            (awaiting.Count > 0 ? $"\nAwaiting their feature's code: {string.Join(", ", awaiting)}" : ""));
    }

    [Fact]
    public void The_app_starts_with_exactly_the_deployed_settings()
    {
        var read = SettingsTheCodeReads.With(Deployed.AsConfiguration());

        Assert.True(read.StartupFailures.Count == 0,
            "With the settings infra/main.bicep deploys, start-up validation fails (add the missing settings to the Bicep):\n" +
            string.Join("\n", read.StartupFailures));
    }

    [Fact]
    public void A_deployed_setting_no_code_reads_is_reported_by_name()
    {
        string[] deployed = ["Clusters__0__Namespace", "Clusters__0__MaxBroker", "ScaleCommandQueue", "Executor__DryRun", "Executor__Typo", "Mystery__Setting"];
        var read = SettingsTheCodeReads.With(Deployed.AsConfiguration());

        // Executor:DryRun stands for a key the executor's options read once merged: its section counts as read.
        var (unread, _) = Unread(deployed, read.Keys.Append("Executor:DryRun").ToHashSet(StringComparer.OrdinalIgnoreCase));

        Assert.Equal(["Clusters__0__MaxBroker", "Executor__Typo", "Mystery__Setting"], unread);
    }

    private static (List<string> Unread, List<string> Awaiting) Unread(IEnumerable<string> deployed, IReadOnlyCollection<string> readKeys)
    {
        var known = readKeys.Concat(HostSettings).Concat(TriggerSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unread = new List<string>();
        var awaiting = new List<string>();
        foreach (var name in deployed.Order(StringComparer.Ordinal))
        {
            var pattern = DeployedSettings.Pattern(name);
            if (known.Contains(pattern))
            {
                continue;
            }

            var section = FeatureSections.FirstOrDefault(s => pattern.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase));
            var sectionIsRead = section is not null && known.Any(k => k.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase));
            (section is not null && !sectionIsRead ? awaiting : unread).Add(name);
        }

        return (unread, awaiting);
    }
}
