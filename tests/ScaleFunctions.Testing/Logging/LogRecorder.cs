using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.Logging;

/// <summary>A logger provider that keeps every log entry (formatted message and structured values) for assertions.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    /// <summary>Every entry's text and values, for "never logged" assertions (secrets).</summary>
    public string AllText => string.Join("\n", Entries.Select(e => e.Message + " " + string.Join(" ", e.Values.Values) + " " + e.Exception));

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), values, exception));
        }
    }
}

/// <summary>One recorded log entry.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public string? Value(string name) => Values.TryGetValue(name, out var value) ? value?.ToString() : null;
}
