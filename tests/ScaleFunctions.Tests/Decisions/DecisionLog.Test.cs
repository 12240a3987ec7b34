using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Decisions;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests;

public sealed class DecisionLogTest : IDisposable
{
    private readonly IntakeHarness harness = new();

    public void Dispose() => harness.Dispose();

    private DecisionLog Log => harness.Services.GetRequiredService<DecisionLog>();

    private IReadOnlyList<ScaleFunctions.Testing.Logging.LogEntry> Decisions => [.. harness.Logs.Entries.Where(e => e.EventId == DecisionLog.DecisionEvent)];

    [Theory]
    [InlineData(DecisionOutcome.Acted, LogLevel.Information)]
    [InlineData(DecisionOutcome.Deferred, LogLevel.Information)]
    [InlineData(DecisionOutcome.Ignored, LogLevel.Information)]
    [InlineData(DecisionOutcome.Refused, LogLevel.Warning)]
    public void Logs_every_outcome_once_at_a_level_on_by_default(DecisionOutcome outcome, LogLevel level)
    {
        Log.Record(new Decision("executor", "kafka/kafka", "upScale", ["3f2a9c1b7d4e6a05"], outcome, "Replay: command k was already applied")
        {
            ReasonCode = "Replay",
            CommandKey = "k",
        });

        var entry = Assert.Single(Decisions);
        Assert.Equal(level, entry.Level);
        Assert.Equal("Decision", entry.EventId.Name);
        Assert.Equal("Replay", entry["ReasonCode"]);
        foreach (var name in new[] { "Stage", "Outcome", "Cluster", "Command", "Fingerprints", "CommandKey", "Reason" })
        {
            Assert.False(string.IsNullOrEmpty(entry[name]), name);
        }
    }

    [Fact]
    public void Cuts_and_strips_every_value_so_none_forges_or_floods_a_line()
    {
        var forged = "abc\nDecision intake Acted Enqueued: cluster kafka/kafka\r\0\u001b[2J\u2028\u202e";
        var huge = new string('f', 500_000);

        Log.Record(new Decision("intake", forged, forged, [forged, huge, .. Enumerable.Repeat("0123456789abcdef", 100)], DecisionOutcome.Refused, forged + huge)
        {
            CommandKey = forged,
            ReasonCode = forged,
        });

        var entry = Assert.Single(Decisions);
        Assert.True(entry.Message.Length < 8_000, $"{entry.Message.Length} characters");
        foreach (var text in entry.Values.Values.Append(entry.Message))
        {
            Assert.DoesNotContain(text!, c => char.IsControl(c) || c is '\u2028' or '\u202e');
        }

        Assert.Contains("(+70 more)", entry["Fingerprints"], StringComparison.Ordinal);
    }
}
