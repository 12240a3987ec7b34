using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.Logging;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every log entry (level, event, message, structured values) for assertions.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => entries.ToArray();

    /// <summary>The entries recorded since the last call, removed: for a loop of many requests against one host.</summary>
    public IReadOnlyList<LogEntry> TakeAll()
    {
        var taken = new List<LogEntry>();
        while (entries.TryDequeue(out var entry))
        {
            taken.Add(entry);
        }

        return taken;
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception),
                values.Where(v => v.Key != "{OriginalFormat}").ToDictionary(v => v.Key, v => v.Value?.ToString(), StringComparer.Ordinal))
            {
                Exception = exception?.ToString(),
            });
        }
    }
}

/// <summary>One recorded log entry: category, level, event, the formatted message, the template's values and the exception text.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, string?> Values)
{
    public string? Exception { get; init; }

    /// <summary>Everything the entry would write anywhere, for "this text never reaches a log" assertions.</summary>
    public string AllText => $"{Category} {Message} {Exception} {string.Join(" ", Values.Select(v => $"{v.Key}={v.Value}"))}";

    public string? this[string name] => Values.GetValueOrDefault(name);
}
