using System.Text.Json;
using ScaleFunctions.Configuration;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// Cross-checks the app settings the Bicep deploys (infra/snapshots/all-features: every optional part switched on, one
/// setting of each feature section) and local.settings.sample.json against the settings the code binds (every
/// property of every options class, under the section it is bound from, see <see cref="SettingsTheCodeReads"/>):
/// every deployed setting is one the app or its host reads, every section the app binds is deployed under that name,
/// and start-up validation passes with exactly the deployed settings. When an option or a section is added or
/// renamed, these tests name the setting to add to, or remove from, infra/main.bicep.
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

    /// <summary>Read by the Functions host from local.settings.json only: the worker runtime and the functions' disable switches.</summary>
    private static readonly string[] LocalHostSettings =
        ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "AzureWebJobs.scale-commands.Disabled", "AzureWebJobs.rebalance-check.Disabled"];

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

        var unread = Unread(Deployed.Values.Keys, read.Keys);

        Assert.True(unread.Count == 0,
            $"Deployed by infra/main.bicep but read by no code (remove them, or fix their names): {string.Join(", ", unread)}." +
            $"\nKeys the code reads: {string.Join(", ", read.Keys.Order())}");
    }

    [Fact]
    public void Every_section_the_app_binds_is_deployed_under_its_name()
    {
        var read = SettingsTheCodeReads.With(Deployed.AsConfiguration());
        var deployed = Deployed.Values.Keys.Select(DeployedSettings.Pattern).ToList();

        var sections = Sections(read.Keys);
        var missing = sections.Where(section => !deployed.Any(d => d.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))).ToList();

        Assert.True(missing.Count == 0,
            $"The app binds these sections but the all-features deployment sets nothing in them (renamed on one side?): {string.Join(", ", missing)}.");
        Assert.Contains("Clusters:*:CruiseControl", sections);
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
    public void Every_sample_setting_is_read_and_the_app_starts_with_exactly_the_sample()
    {
        var sample = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("local.settings.sample.json"))).RootElement.GetProperty("Values")
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
        var read = SettingsTheCodeReads.With(sample.Select(p => new KeyValuePair<string, string?>(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value)));

        var unread = Unread(sample.Keys.Where(k => !LocalHostSettings.Contains(k, StringComparer.OrdinalIgnoreCase)), read.Keys);

        Assert.True(unread.Count == 0, $"In local.settings.sample.json but read by no code (remove them, or fix their names): {string.Join(", ", unread)}.");
        Assert.True(read.StartupFailures.Count == 0, "With local.settings.sample.json, start-up validation fails:\n" + string.Join("\n", read.StartupFailures));
    }

    [Fact]
    public void A_deployed_setting_no_code_reads_is_reported_by_name()
    {
        string[] deployed =
        [
            "Clusters__0__Namespace", "Clusters__0__MaxBroker", "ScaleCommandQueue", "Executor__DryRun", "Executor__Typo", "Executors__DryRun",
            "Auth__HasBasic", "Clusters__0__Id", "Mystery__Setting",
        ];
        var read = SettingsTheCodeReads.With(Deployed.AsConfiguration());

        // A misspelt property, a renamed section, a computed property (never bound) and an unknown section.
        Assert.Equal(["Auth__HasBasic", "Clusters__0__Id", "Clusters__0__MaxBroker", "Executor__Typo", "Executors__DryRun", "Mystery__Setting"], Unread(deployed, read.Keys));
    }

    [Fact]
    public void The_keys_are_every_bindable_property_of_a_section_even_when_no_setting_is_in_it()
    {
        var read = SettingsTheCodeReads.With([]);

        Assert.Contains("Executor:ScaleUpCooldown", read.Keys);
        Assert.Contains("Rebalance:FollowInterval", read.Keys);
        Assert.Contains("CruiseControl:CapacityOpinion", read.Keys);
        Assert.DoesNotContain("Auth:HasBasic", read.Keys);
        Assert.DoesNotContain(read.Keys, k => k.StartsWith("Executor:ScaleUpCooldown:", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every section a bound key sits in (<c>Executor</c>, <c>Clusters:*:CruiseControl</c>), not array items.</summary>
    private static List<string> Sections(IEnumerable<string> keys) => keys
        .Select(k => k.Split(':'))
        .SelectMany(segments => Enumerable.Range(1, segments.Length - 1).Select(n => string.Join(':', segments[..n])))
        .Where(prefix => !prefix.EndsWith('*') && !HostSettings.Any(h => h.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase)))
        .Where(prefix => !prefix.StartsWith(HostJson.Section, StringComparison.OrdinalIgnoreCase)) // host.json, deployed with the app
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .Order(StringComparer.Ordinal)
        .ToList();

    private static List<string> Unread(IEnumerable<string> deployed, IReadOnlyCollection<string> readKeys)
    {
        var known = readKeys.Concat(HostSettings).Concat(TriggerSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return deployed.Where(name => !known.Contains(DeployedSettings.Pattern(name))).Order(StringComparer.Ordinal).ToList();
    }
}
