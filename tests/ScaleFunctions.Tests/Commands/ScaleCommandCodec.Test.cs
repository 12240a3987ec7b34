using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Tests.Commands;

public sealed class ScaleCommandCodecTest
{
    private static ScaleCommand Sample() => new()
    {
        IdempotencyKey = "k1",
        Command = ScaleCommandKind.UpScale,
        Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
        Alerts = [new AlertRef("abc", "BrokerOverLoaded", DateTimeOffset.Parse("2025-01-15T10:00:00Z"))],
        CreatedAt = DateTimeOffset.Parse("2025-01-15T10:05:00Z"),
        ExpiresAt = DateTimeOffset.Parse("2025-01-15T10:20:00Z"),
    };

    [Fact]
    public void Round_trips_and_writes_the_command_in_annotation_spelling()
    {
        var json = ScaleCommandCodec.Serialize(Sample());

        Assert.Contains("\"command\":\"upScale\"", json, StringComparison.Ordinal);
        Assert.Contains("\"schema\":\"scalefunctions.command/v1\"", json, StringComparison.Ordinal);
        Assert.Equal(Sample().IdempotencyKey, ScaleCommandCodec.Deserialize(json).IdempotencyKey);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"schema\":\"scalefunctions.command/v9\"}")]
    [InlineData("not json")]
    public void Rejects_documents_that_are_not_v1_commands(string json) =>
        Assert.Throws<InvalidCommandException>(() => ScaleCommandCodec.Deserialize(json));

    [Fact]
    public void Reads_a_message_without_alertCount_as_counting_its_listed_alerts()
    {
        var json = ScaleCommandCodec.Serialize(Sample()).Replace("\"alertCount\":0,", "", StringComparison.Ordinal);

        Assert.DoesNotContain("alertCount", json, StringComparison.Ordinal);
        Assert.Equal(1, ScaleCommandCodec.Deserialize(json).AlertCount);
    }

    [Fact]
    public void Refuses_an_alertCount_below_the_listed_alerts()
    {
        var json = ScaleCommandCodec.Serialize(Sample() with { AlertCount = 1, Alerts = [.. Sample().Alerts, new AlertRef("def", "X", DateTimeOffset.UnixEpoch)] });

        Assert.Throws<InvalidCommandException>(() => ScaleCommandCodec.Deserialize(json));
    }

    [Fact]
    public void Measures_the_message_as_the_queue_stores_it_base64_of_UTF8()
    {
        var command = Sample() with { Parameters = new ScaleParameters { BrokerAnnotations = new Dictionary<string, string> { ["a"] = "é<" } } };
        var utf8 = System.Text.Encoding.UTF8.GetBytes(ScaleCommandCodec.Serialize(command));

        Assert.Equal(Convert.ToBase64String(utf8).Length, ScaleCommandCodec.EncodedLength(command));
        Assert.Contains("é<", ScaleCommandCodec.Serialize(command), StringComparison.Ordinal);
    }
}
