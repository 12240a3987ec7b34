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
}
