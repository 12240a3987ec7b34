using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;

namespace ScaleFunctions.Tests.Commands;

/// <summary>
/// An alert episode's key names table rows and goes into every idempotency key, so its text never changes: commands and
/// resolutions written before an upgrade must still be recognised after it.
/// </summary>
public sealed class AlertRefTest
{
    [Theory]
    [InlineData("2016-04-07T10:08:52-06:00", "0123456789abcdef@2016-04-07T16:08:52.0000000Z")]
    [InlineData("2025-01-15T10:00:00.1234567Z", "0123456789abcdef@2025-01-15T10:00:00.1234567Z")]
    [InlineData("0001-01-01T00:00:00Z", "0123456789abcdef@0001-01-01T00:00:00.0000000Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00", "0123456789abcdef@9999-12-31T23:59:59.9999999Z")]
    public void The_key_is_the_fingerprint_and_the_UTC_start_with_seven_decimals(string startsAt, string key) =>
        Assert.Equal(key, new AlertRef("0123456789abcdef", "Any", DateTimeOffset.Parse(startsAt, System.Globalization.CultureInfo.InvariantCulture)).Key);

    [Fact]
    public void The_idempotency_key_of_a_command_is_what_it_was()
    {
        var cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster);
        var start = DateTimeOffset.Parse("2025-01-15T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        AlertRef[] alerts = [new("00000000000000b2", "B", start), new("00000000000000a1", "A", start), new("00000000000000a1", "A", start)];

        var key = IdempotencyKey.Compute(cluster, ScaleCommandKind.UpScale, ScaleTarget.Cluster, alerts);

        Assert.Equal(IdempotencyKey.FromSortedKeys(cluster, ScaleCommandKind.UpScale, ScaleTarget.Cluster, [alerts[1].Key, alerts[0].Key]), key);
        Assert.Equal(Pinned, key);
    }

    // Computed by the code before intake's key formatting was made faster (custom format string yyyy-MM-ddTHH:mm:ss.fffffffZ).
    private const string Pinned = "145efc3e4a791494b9e8ff0408a6a577";
}
