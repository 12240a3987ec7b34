using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.ClosedLoop;

/// <summary>
/// Alert-to-action latency in the closed loop: from the moment Alertmanager's POST reached the app to the moment the
/// Kubernetes double stored the write that carried the command the POST produced (its key in
/// <c>scalefunctions.io/recent-commands</c>). The POST's arrival is stamped by a middleware and handed to intake's
/// <c>Enqueued</c> decision through the request's async flow; the write is stamped by the store's commit.
/// </summary>
public sealed class AlertToAction : ILoggerProvider, IStartupFilter
{
    private static readonly AsyncLocal<DateTimeOffset?> PostArrived = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> posted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> written = new(StringComparer.Ordinal);

    /// <summary>Each acted command's latency (first POST that produced its key → the write), in order of the writes.</summary>
    public IReadOnlyList<TimeSpan> Latencies =>
        [.. written.OrderBy(w => w.Value).Where(w => posted.ContainsKey(w.Key)).Select(w => w.Value - posted[w.Key])];

    /// <summary>"n actions, p50 …, p99 …" (nearest rank), or that nothing acted.</summary>
    public string Describe()
    {
        var sorted = Latencies.Order().ToList();
        if (sorted.Count == 0)
        {
            return "alert to action: no action";
        }

        string Rank(double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)].TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s";
        return $"alert to action (POST → write): {sorted.Count} action(s), p50 {Rank(0.5)}, p99 {Rank(0.99)}, max {Rank(1)}";
    }

    /// <summary>Call from the store's commit of the KafkaCluster.</summary>
    public void Committed(JsonObject stored)
    {
        var now = DateTimeOffset.UtcNow;
        if (stored["metadata"]?["annotations"]?["scalefunctions.io/recent-commands"]?.GetValue<string>() is { } json)
        {
            foreach (var key in JsonSerializer.Deserialize<List<string>>(json) ?? [])
            {
                written.TryAdd(key, now);
            }
        }
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            if (HttpMethods.IsPost(context.Request.Method))
            {
                PostArrived.Value = DateTimeOffset.UtcNow;
            }

            await following(context);
        });
        next(app);
    };

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose()
    {
    }

    private sealed class Recorder(AlertToAction latency) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != 1000 || PostArrived.Value is not { } arrived || state is not IEnumerable<KeyValuePair<string, object?>> values)
            {
                return;
            }

            var map = values.ToDictionary(v => v.Key, v => v.Value?.ToString(), StringComparer.Ordinal);
            if (map.GetValueOrDefault("Stage") == "intake" && map.GetValueOrDefault("ReasonCode") == "Enqueued" && map.GetValueOrDefault("CommandKey") is { } key)
            {
                latency.posted.TryAdd(key, arrived);
            }
        }
    }
}
