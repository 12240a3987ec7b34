using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing;

/// <summary>A logger provider that keeps every log entry, formatted, for assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception?.ToString(),
                properties.ToDictionary(p => p.Key, p => p.Value)));
        }
    }
}

/// <summary>One captured log entry: category, level, event, the formatted message, the exception text and the template's values.</summary>
public sealed record CapturedLog(
    string Category, LogLevel Level, EventId EventId, string Message, string? Exception, IReadOnlyDictionary<string, object?> Properties)
{
    public string AllText => $"{Category} {Message} {Exception} {string.Join(" ", Properties.Select(p => $"{p.Key}={p.Value}"))}";
}
