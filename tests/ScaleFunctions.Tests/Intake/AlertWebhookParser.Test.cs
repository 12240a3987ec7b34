using System.Text;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class AlertWebhookParserTest
{
    public static TheoryData<string> ReferencePayloads => ReferenceFiles.AlertmanagerPayloads();

    private static AlertWebhookParseResult Parse(string json) => AlertWebhookParser.Parse(Encoding.UTF8.GetBytes(json), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(ReferencePayloads))]
    public void Accepts_every_reference_payload(string fileName)
    {
        var result = AlertWebhookParser.Parse(ReferenceFiles.AlertmanagerPayload(fileName), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        Assert.Null(result.Error);
        var webhook = result.Webhook!;
        Assert.NotEmpty(webhook.Alerts!);
        Assert.All(webhook.Alerts!, alert =>
        {
            Assert.NotNull(alert!.StartsAt);
            Assert.NotEmpty(alert.AlertName);
        });
    }

    [Fact]
    public void Reads_the_legacy_payload_without_version_group_key_or_fingerprints()
    {
        var webhook = AlertWebhookParser.Parse(ReferenceFiles.AlertmanagerPayload("am-executor_alert_payload.legacy.json"), DateTimeOffset.UnixEpoch, TimeSpan.Zero).Webhook!;

        Assert.Null(webhook.Version);
        Assert.Null(webhook.GroupKey);
        Assert.Equal(2, webhook.Alerts!.Count);
        Assert.All(webhook.Alerts, a => Assert.Equal("", a!.Fingerprint));
        Assert.Equal(DateTimeOffset.Parse("2016-04-07T16:08:52Z", System.Globalization.CultureInfo.InvariantCulture), webhook.Alerts[0]!.StartsAt);
    }

    [Fact]
    public void Reads_nanosecond_timestamps_and_alerts_without_status()
    {
        var webhook = AlertWebhookParser.Parse(ReferenceFiles.AlertmanagerPayload("prometheus-msteams_prom_post_request.v4-minimal.json"), DateTimeOffset.UnixEpoch, TimeSpan.Zero).Webhook!;

        var alert = Assert.Single(webhook.Alerts!)!;
        Assert.Null(alert.Status);
        Assert.Equal("firing", webhook.Status);
        Assert.Equal(new DateTimeOffset(2018, 3, 7, 11, 33, 21, TimeSpan.Zero).AddTicks(8730775), alert.StartsAt);
    }

    [Fact]
    public void Ignores_unknown_fields_and_reads_null_maps_as_empty()
    {
        var result = Parse("""
            {"receiver":"r","status":"firing","notification_reason":"first","routeLabels":{"a":"b"},"future":{"x":[1,2,{"y":null}]},
             "groupLabels":null,"commonLabels":null,"commonAnnotations":null,
             "alerts":[{"status":"firing","labels":null,"annotations":{"summary":null},"startsAt":"2025-01-15T10:00:00Z","newField":true}]}
            """);

        var webhook = result.Webhook!;
        Assert.Empty(webhook.GroupLabels);
        Assert.Empty(webhook.CommonLabels);
        var alert = Assert.Single(webhook.Alerts!)!;
        Assert.Empty(alert.Labels);
        Assert.Equal("", alert.Annotations["summary"]);
    }

    [Theory]
    [InlineData("", "malformed JSON")]
    [InlineData("not json", "malformed JSON")]
    [InlineData("{\"alerts\":[", "malformed JSON")]
    [InlineData("\"alerts\"", "wrong type")] // an array is the pushed format (PushedAlertsTest)
    [InlineData("null", "JSON null")]
    [InlineData("{}", "no 'alerts' array")]
    [InlineData("{\"alerts\":null}", "no 'alerts' array")]
    [InlineData("{\"alerts\":{}}", "wrong type")]
    [InlineData("{\"alerts\":[null]}", "must be an object")]
    [InlineData("{\"alerts\":[5]}", "wrong type")]
    [InlineData("{\"alerts\":[{\"labels\":5}]}", "must be JSON objects")]
    [InlineData("{\"alerts\":[{\"labels\":[\"a\"]}]}", "must be JSON objects")]
    [InlineData("{\"alerts\":[{\"labels\":{\"kafka_cr\":5}}]}", "must be a string")]
    [InlineData("{\"alerts\":[{\"labels\":{\"a\":{\"b\":\"c\"}}}]}", "must be a string")]
    [InlineData("{\"alerts\":[{\"labels\":{\"a\":\"1\",\"a\":\"2\"}}]}", "appears twice")]
    [InlineData("{\"alerts\":[{\"startsAt\":\"yesterday\"}]}", "wrong type")]
    [InlineData("{\"alerts\":[{\"status\":{}}]}", "wrong type")]
    [InlineData("{\"alerts\":[],\"status\":5}", "wrong type")]
    public void Refuses_bodies_that_are_not_webhooks_with_a_reason(string json, string reason)
    {
        var result = Parse(json);

        Assert.Null(result.Webhook);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_deep_nesting_even_in_unknown_fields()
    {
        var json = "{\"alerts\":[],\"future\":" + new string('[', 200) + new string(']', 200) + "}";

        var result = Parse(json);

        Assert.Contains("nested deeper than 32 levels", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keeps_hostile_text_out_of_the_reason()
    {
        var key = new string('k', 5000) + "\n\u001b[31m";
        var result = Parse($"{{\"alerts\":[{{\"labels\":{{\"{key}\":1}}}}]}}");

        Assert.NotNull(result.Error);
        Assert.True(result.Error.Length < 400, result.Error);
        Assert.DoesNotContain('\u001b', result.Error);
        Assert.DoesNotContain('\n', result.Error);
    }

    [Fact]
    public void Reads_huge_strings_within_the_body_limit()
    {
        var description = new string('x', 900_000);
        var result = Parse($"{{\"alerts\":[{{\"annotations\":{{\"description\":\"{description}\"}},\"startsAt\":\"2025-01-15T10:00:00Z\"}}]}}");

        Assert.Equal(description, result.Webhook!.Alerts![0]!.Annotations["description"]);
    }
}
