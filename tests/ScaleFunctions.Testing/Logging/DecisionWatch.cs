using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.Logging;

/// <summary>One decision (EventId 1000) as logged: stage, outcome, reason code, cluster, command and command key.</summary>
public sealed record LoggedDecision(string Stage, string Outcome, string Code, string Cluster, string Command, string Key, string Reason)
{
    /// <summary>Anything but a deferral: the command's outcome (a deferred command comes back as a new message).</summary>
    public bool Final => Outcome != "Deferred";

    public override string ToString() => $"{Stage} {Command} {Outcome} {Code} ({Key})";
}

/// <summary>
/// An <see cref="ILoggerProvider"/> that keeps the app's decision log (EventId 1000) and lets a test await a decision
/// (<see cref="WhenAsync"/>) instead of polling the log: the signal is the log line itself.
/// </summary>
public sealed class DecisionWatch : ILoggerProvider
{
    private readonly Lock gate = new();
    private readonly List<LoggedDecision> decisions = [];
    private readonly List<(Func<IReadOnlyList<LoggedDecision>, bool> Done, TaskCompletionSource Signal)> waiters = [];

    public IReadOnlyList<LoggedDecision> Decisions
    {
        get
        {
            lock (gate)
            {
                return [.. decisions];
            }
        }
    }

    /// <summary>Completes once <paramref name="done"/> holds for the decisions so far; fails after <paramref name="deadline"/> (a failure bound).</summary>
    public async Task WhenAsync(Func<IReadOnlyList<LoggedDecision>, bool> done, string what, TimeSpan? deadline = null)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (done(decisions))
            {
                return;
            }

            waiters.Add((done, signal));
        }

        try
        {
            await signal.Task.WaitAsync(deadline ?? Eventually.DefaultDeadline);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Gave up waiting for {what}; decisions so far: {string.Join("; ", Decisions)}", ex);
        }
    }

    /// <summary>Completes when the command <paramref name="key"/> has a decision of stage executor other than a deferral.</summary>
    public Task FinalAsync(string key, TimeSpan? deadline = null) =>
        WhenAsync(all => all.Any(d => d.Key == key && d.Stage == "executor" && d.Final), $"a final executor decision for {key}", deadline);

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose()
    {
    }

    private void Add(LoggedDecision decision)
    {
        lock (gate)
        {
            decisions.Add(decision);
            foreach (var waiter in waiters.Where(w => w.Done(decisions)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Signal.TrySetResult();
            }
        }
    }

    private sealed class Recorder(DecisionWatch watch) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != 1000 || state is not IEnumerable<KeyValuePair<string, object?>> values)
            {
                return;
            }

            var map = values.ToDictionary(v => v.Key, v => v.Value?.ToString() ?? "", StringComparer.Ordinal);
            watch.Add(new LoggedDecision(
                map.GetValueOrDefault("Stage", ""), map.GetValueOrDefault("Outcome", ""), map.GetValueOrDefault("ReasonCode", ""),
                map.GetValueOrDefault("Cluster", ""), map.GetValueOrDefault("Command", ""), map.GetValueOrDefault("CommandKey", ""),
                map.GetValueOrDefault("Reason", "")));
        }
    }
}
