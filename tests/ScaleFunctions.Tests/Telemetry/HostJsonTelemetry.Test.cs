using System.Text.Json;
using System.Text.RegularExpressions;
using ScaleFunctions.Testing;
using ScaleFunctions.Tests.Deploy;

namespace ScaleFunctions.Tests.Telemetry;

/// <summary>
/// The Functions host's own Application Insights settings as shipped. The host records its call to the worker
/// (<c>http://localhost:&lt;port&gt;/api/alerts?code=&lt;key&gt;</c>) as a dependency whose URL keeps the function key;
/// hosts before azure-functions-host PR #11609 (Feb 2026) do not filter it, and a deployment cannot choose its host
/// version, so host.json turns the host's dependency collection off. Nothing the workbook or the alert rules read comes
/// from the <c>dependencies</c> table.
/// </summary>
public sealed partial class HostJsonTelemetryTest
{
    [Fact]
    public void The_shipped_host_json_turns_the_hosts_dependency_tracking_off()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("host.json")));

        var setting = hostJson.RootElement.GetProperty("logging").GetProperty("applicationInsights").GetProperty("enableDependencyTracking");

        Assert.Equal(JsonValueKind.False, setting.ValueKind);
    }

    [Fact]
    public void No_workbook_tile_or_alert_rule_reads_the_dependencies_table()
    {
        var queries = WorkbookQueries.All().Concat(AlertRuleQueries()).ToList();

        Assert.NotEmpty(queries);
        Assert.All(queries, query => Assert.DoesNotMatch(DependenciesTable(), query));
    }

    private static IEnumerable<string> AlertRuleQueries() =>
        QueryLine().Matches(File.ReadAllText(ReferenceFiles.InRepository(Path.Combine("infra", "app", "alerts.bicep"))))
            .Select(m => m.Groups["query"].Value);

    [GeneratedRegex(@"^\s*query:\s*'(?<query>[^']*)'", RegexOptions.Multiline)]
    private static partial Regex QueryLine();

    [GeneratedRegex(@"\bdependencies\b")]
    private static partial Regex DependenciesTable();
}
