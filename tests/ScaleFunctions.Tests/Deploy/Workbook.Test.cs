using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Decisions;

namespace ScaleFunctions.Tests.Deploy;

/// <summary>
/// infra/app/workbook.json in step with the code: the metric names and dimensions its queries read are the ones the
/// app's meter emits, the decision-log properties are the ones DecisionLog writes, and the Cluster list offers only
/// managed clusters (intake counts alerts for other clusters under <c>unmanaged</c>, shown in a tile of their own).
/// </summary>
public sealed partial class WorkbookTest
{
    [Fact]
    public void The_cluster_list_leaves_out_empty_and_unmanaged_values()
    {
        var query = WorkbookQueries.Parameter("Cluster");

        Assert.Matches(@"\|\s*where\s+isnotempty\(cluster\)\s+and\s+cluster\s*!=\s*""unmanaged""", query);
        Assert.Matches(@"union \(print cluster = ""All""\)", query);
    }

    [Fact]
    public void Ignored_alerts_for_clusters_the_app_does_not_manage_have_a_tile_of_their_own()
    {
        var query = WorkbookQueries.Tile("ignored-unmanaged");

        Assert.Contains(@"stage == ""intake""", query, StringComparison.Ordinal);
        Assert.Contains(@"outcome == ""Ignored""", query, StringComparison.Ordinal);
        Assert.Contains(@"cluster == ""unmanaged""", query, StringComparison.Ordinal);
        Assert.DoesNotContain("{Cluster}", query, StringComparison.Ordinal);   // not per cluster: none of them is managed
    }

    [Fact]
    public void Metric_queries_read_only_metrics_and_dimensions_the_meter_emits()
    {
        var emitted = EmittedMetrics();
        var metricQueries = WorkbookQueries.All().Where(q => q.StartsWith("customMetrics", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(metricQueries);
        foreach (var query in metricQueries)
        {
            var name = MetricName().Match(query).Groups["name"].Value;
            Assert.True(emitted.ContainsKey(name), $"The workbook reads metric '{name}', which the ScaleFunctions meter does not emit:\n{query}");
            foreach (Match dimension in Dimension().Matches(query))
            {
                Assert.Contains(dimension.Groups["name"].Value, emitted[name]);
            }
        }
    }

    [Fact]
    public void Trace_queries_read_only_properties_the_decision_log_writes()
    {
        var written = DecisionProperties();
        var traceQueries = WorkbookQueries.All().Where(q => q.StartsWith("traces", StringComparison.Ordinal) && q.Contains("customDimensions", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(traceQueries);
        foreach (var query in traceQueries)
        {
            foreach (Match dimension in Dimension().Matches(query))
            {
                Assert.Contains(dimension.Groups["name"].Value, written);
            }
        }
    }

    private static Dictionary<string, HashSet<string>> EmittedMetrics()
    {
        using var services = new ServiceCollection().AddLogging().AddMetrics().AddSingleton<ScaleFunctionsMetrics>().AddSingleton<DecisionLog>().BuildServiceProvider();
        var emitted = new Dictionary<string, HashSet<string>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ScaleFunctionsMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        services.GetRequiredService<DecisionLog>().Record(new Decision(
            "executor", "kafka/kafka", "upScale", ["fp1"], DecisionOutcome.Acted, "broker 3 added")
        { LatencySeconds = 1 });
        return emitted;

        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var names = emitted.TryGetValue(instrument.Name, out var known) ? known : emitted[instrument.Name] = [];
            foreach (var tag in tags)
            {
                names.Add(tag.Key);
            }
        }
    }

    private static HashSet<string> DecisionProperties()
    {
        var recorder = new PropertyRecorder();
        using var services = new ServiceCollection().AddLogging(l => l.AddProvider(recorder)).AddMetrics()
            .AddSingleton<ScaleFunctionsMetrics>().AddSingleton<DecisionLog>().BuildServiceProvider();
        services.GetRequiredService<DecisionLog>().Record(new Decision(
            "executor", "kafka/kafka", "upScale", ["fp1"], DecisionOutcome.Acted, "broker 3 added")
        { CommandKey = "key-1" });

        // Application Insights adds EventId (and EventName, CategoryName) to every trace's customDimensions.
        return [.. recorder.Properties, "EventId", "EventName", "CategoryName"];
    }

    [GeneratedRegex(@"name == ""(?<name>[^""]+)""")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"customDimensions\.(?<name>[A-Za-z_]+)")]
    private static partial Regex Dimension();

    private sealed class PropertyRecorder : ILoggerProvider, ILogger
    {
        public HashSet<string> Properties { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> properties)
            {
                Properties.UnionWith(properties.Select(p => p.Key).Where(k => k != "{OriginalFormat}"));
            }
        }

        public void Dispose()
        {
        }
    }
}
