using System.Globalization;
using System.Text;
using ScaleFunctions.Intake;

namespace ScaleFunctions.Tests.Intake;

/// <summary>The array Prometheus posts to an Alertmanager's <c>/api/v2/alerts</c>, read by the same parser as a webhook.</summary>
public sealed class PushedAlertsTest
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-01-15T10:05:00Z", CultureInfo.InvariantCulture);

    private static AlertWebhookParseResult Parse(string json, TimeSpan? clockSkew = null) =>
        AlertWebhookParser.Parse(Encoding.UTF8.GetBytes(json), Now, clockSkew ?? TimeSpan.Zero);

    private static string Pushed(string endsAt, string extra = "") => $$"""
        [{"labels":{"alertname":"KafkaOverloaded","namespace":"kafka","kafka_cr":"kafka"},
          "annotations":{"command":"upScale"},"startsAt":"2025-01-15T10:00:00.123456789Z","endsAt":"{{endsAt}}",
          "generatorURL":"http://prometheus:9090/graph?g0.expr=vector%281%29"{{extra}}}]
        """;

    [Fact]
    public void Reads_the_array_as_the_webhook_model_with_the_fingerprint_computed_from_the_labels()
    {
        var webhook = Parse(Pushed("2025-01-15T10:09:00Z")).Webhook!;

        Assert.Equal(AlertFormat.Pushed, webhook.Format);
        Assert.Null(webhook.Status);
        var alert = Assert.Single(webhook.Alerts!)!;
        Assert.Equal("firing", alert.Status);
        Assert.Equal(AlertFingerprint.Of(alert.Labels), alert.Fingerprint);
        Assert.Equal("upScale", alert.Annotations["command"]);
        Assert.Equal(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), alert.StartsAt);
        Assert.StartsWith("http://prometheus:9090/graph", alert.GeneratorUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_object_is_still_a_webhook()
    {
        var webhook = Parse("""{"status":"firing","alerts":[]}""").Webhook!;

        Assert.Equal(AlertFormat.Webhook, webhook.Format);
    }

    [Theory]
    [InlineData("2025-01-15T10:04:59Z", 0, "resolved")]
    [InlineData("2025-01-15T10:05:00Z", 0, "resolved")]
    [InlineData("2025-01-15T10:05:01Z", 0, "firing")]
    [InlineData("2025-01-15T10:05:20Z", 30, "resolved")] // this clock runs 20 s behind the sender's
    [InlineData("2025-01-15T10:05:31Z", 30, "firing")]
    [InlineData("2025-01-15T10:09:00Z", 30, "firing")] // Prometheus' endsAt for a firing alert: 4 minutes ahead
    [InlineData("0001-01-01T00:00:00Z", 30, "firing")] // Go's zero time: no end
    public void The_status_is_resolved_when_endsAt_is_not_later_than_now_plus_the_clock_skew(string endsAt, int skewSeconds, string status)
    {
        var alert = Parse(Pushed(endsAt), TimeSpan.FromSeconds(skewSeconds)).Webhook!.Alerts![0]!;

        Assert.Equal(status, alert.Status);
    }

    [Fact]
    public void An_alert_without_endsAt_is_firing()
    {
        var alert = Parse("""[{"labels":{"alertname":"A"},"startsAt":"2025-01-15T10:00:00Z"}]""").Webhook!.Alerts![0]!;

        Assert.Equal("firing", alert.Status);
    }

    [Fact]
    public void A_status_or_fingerprint_in_the_body_is_not_part_of_the_format_and_is_overwritten()
    {
        var alert = Parse(Pushed("2025-01-15T10:00:30Z", ""","status":"firing","fingerprint":"0123456789abcdef" """)).Webhook!.Alerts![0]!;

        Assert.Equal("resolved", alert.Status);
        Assert.Equal(AlertFingerprint.Of(alert.Labels), alert.Fingerprint);
        Assert.NotEqual("0123456789abcdef", alert.Fingerprint);
    }

    [Fact]
    public void Reads_an_array_after_whitespace()
    {
        var result = Parse(" \r\n\t" + Pushed("2025-01-15T10:09:00Z"));

        Assert.Null(result.Error);
        Assert.Equal(AlertFormat.Pushed, result.Webhook!.Format);
    }

    [Fact]
    public void An_empty_array_is_valid_and_has_no_alerts()
    {
        Assert.Empty(Parse("[]").Webhook!.Alerts!);
    }

    [Theory]
    [InlineData("""[null]""", "Every entry of 'alerts' must be an object.")]
    [InlineData("""[1]""", "not an array of alerts (Alertmanager API v2): a value has the wrong type")]
    [InlineData("""[{"labels":{"a":1}}]""", "not an array of alerts (Alertmanager API v2)")]
    [InlineData("""[{"labels":{"a":"b","a":"c"}}]""", "appears twice")]
    [InlineData("""[{"labels":{}}""", "malformed JSON")]
    public void Refuses_an_array_that_is_not_alerts(string json, string reason)
    {
        var result = Parse(json);

        Assert.Null(result.Webhook);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }
}
