using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Decisions;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class AlertWebhookHandlerTest : IDisposable
{
    private readonly IntakeHarness harness = new();

    public void Dispose() => harness.Dispose();

    private static JsonElement Body(WebhookResponse response) => JsonDocument.Parse(response.JsonBody).RootElement;

    private static string Example => File.ReadAllText(ReferenceFiles.InRepository("docs/examples/upscale-webhook.json"));

    [Fact]
    public async Task Accepts_the_documented_example_with_one_command()
    {
        var response = await harness.PostAsync(Example);

        Assert.Equal(202, response.StatusCode);
        var command = Assert.Single(harness.Queue.Commands);
        var listed = Assert.Single(Body(response).GetProperty("commands").EnumerateArray());
        Assert.Equal(command.IdempotencyKey, listed.GetProperty("idempotencyKey").GetString());
        Assert.Equal("kafka/kafka", listed.GetProperty("cluster").GetString());
        Assert.Equal("upScale", listed.GetProperty("command").GetString());
        Assert.Equal("cluster", listed.GetProperty("target").GetString());
        Assert.Equal("accepted", Body(response).GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(AlertWebhookParserTest_ReferencePayloads))]
    public async Task Accepts_every_reference_payload_and_enqueues_nothing_for_alerts_that_are_not_ours(string fileName)
    {
        var response = await harness.PostAsync(Encoding.UTF8.GetString(ReferenceFiles.AlertmanagerPayload(fileName)));

        Assert.Equal(202, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
        Assert.NotEmpty(Body(response).GetProperty("ignored").EnumerateArray());
    }

    public static TheoryData<string> AlertWebhookParserTest_ReferencePayloads => ReferenceFiles.AlertmanagerPayloads();

    [Fact]
    public async Task Enqueues_the_valid_alerts_of_a_partly_invalid_webhook_and_lists_the_rest_as_rejected()
    {
        var body = Webhooks.Firing(
            Webhooks.Alert("Overloaded", "upScale"),
            Webhooks.Alert("DiskLow", "addPvc", labels: new Dictionary<string, string> { ["persistentvolumeclaim"] = "kafka-0-storage" }),
            Webhooks.Alert("Typo", "upscale"),
            Webhooks.Alert("Noise", null));

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal(ScaleCommandKind.UpScale, Assert.Single(harness.Queue.Commands).Command);
        var rejected = Body(response).GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(["DiskLow", "Typo"], rejected.Select(r => r.GetProperty("alertName").GetString()).Order());
        Assert.Contains("diskSize is required", rejected.Single(r => r.GetProperty("alertName").GetString() == "DiskLow").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("no command annotation.", Body(response).GetProperty("ignored")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Keeps_huge_label_values_out_of_reasons()
    {
        var huge = new string('x', 500_000) + "\u001b[2J";
        var body = Webhooks.Firing(Webhooks.Alert("Huge", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = huge }));

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        Assert.True(response.JsonBody.Length < 1000, $"{response.JsonBody.Length} characters");
        Assert.Contains("is not managed", Body(response).GetProperty("ignored")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.All(harness.Logs.Entries, e => Assert.True(e.Message.Length < 1000));
    }

    [Fact]
    public async Task Six_upScale_alerts_enqueue_one_command()
    {
        var body = Webhooks.Firing([.. Enumerable.Range(1, 6).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))]);

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal(6, Assert.Single(harness.Queue.Commands).Alerts.Count);
    }

    [Fact]
    public async Task Records_resolved_alerts_and_enqueues_nothing_for_them()
    {
        var body = Webhooks.Envelope("resolved", Webhooks.Alert("Overloaded", "upScale", status: "resolved"));

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
        var resolved = Assert.Single(harness.Resolutions.Resolved);
        Assert.Equal(Webhooks.Fingerprint("Overloaded"), resolved.Fingerprint);
        Assert.Equal(Webhooks.StartsAt, resolved.StartsAt);
        Assert.StartsWith("resolved", Body(response).GetProperty("ignored")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_every_decision_once_and_ignored_alerts_at_debug()
    {
        var body = Webhooks.Firing(
            Webhooks.Alert("A", "upScale"), Webhooks.Alert("B", "upScale"), Webhooks.Alert("Noise", null), Webhooks.Alert("Typo", "upscale"));

        await harness.PostAsync(body);

        var decisions = harness.Logs.Entries.Where(e => e.EventId == DecisionLog.DecisionEvent).ToList();
        Assert.Equal(3, decisions.Count);
        Assert.Equal(LogLevel.Debug, decisions.Single(d => d.Values["Outcome"]!.ToString() == nameof(DecisionOutcome.Ignored)).Level);
        Assert.Equal(LogLevel.Warning, decisions.Single(d => d.Values["Outcome"]!.ToString() == nameof(DecisionOutcome.Refused)).Level);
        var acted = decisions.Single(d => d.Values["Outcome"]!.ToString() == nameof(DecisionOutcome.Acted));
        var fingerprints = new[] { Webhooks.Fingerprint("A"), Webhooks.Fingerprint("B") }.Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(",", fingerprints), acted.Values["Fingerprints"]);
        Assert.Equal(harness.Queue.Commands[0].IdempotencyKey, acted.Values["CommandKey"]);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Answers_401_with_a_challenge_and_enqueues_nothing_without_credentials()
    {
        var request = Webhooks.Request(Example, headers: new Dictionary<string, string> { ["x-functions-key"] = "wrong-key-0123456789abcdef" });

        var response = await harness.PostAsync(request);

        Assert.Equal(401, response.StatusCode);
        Assert.Contains(response.Headers, h => h.Key == "WWW-Authenticate" && h.Value.StartsWith("FunctionKey ", StringComparison.Ordinal));
        Assert.DoesNotContain("key", Body(response).GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(harness.Queue.Commands);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Answers_415_for_content_that_is_not_JSON(string? contentType)
    {
        var response = await harness.PostAsync(Webhooks.Request(Example, contentType));

        Assert.Equal(415, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.alertmanager+json")]
    public async Task Accepts_JSON_content_types(string contentType)
    {
        Assert.Equal(202, (await harness.PostAsync(Webhooks.Request(Example, contentType))).StatusCode);
    }

    [Fact]
    public async Task Answers_413_when_the_declared_length_is_above_the_limit()
    {
        var request = Webhooks.Request(Example, contentLength: (1024 * 1024) + 1);

        var response = await harness.PostAsync(request);

        Assert.Equal(413, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task Answers_413_when_a_chunked_body_grows_above_the_limit()
    {
        using var small = new IntakeHarness(new Dictionary<string, string?> { ["Intake:MaxBodyBytes"] = "2048" });
        var body = Webhooks.Firing([.. Enumerable.Range(1, 20).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))]);
        Assert.True(Encoding.UTF8.GetByteCount(body) > 2048);

        var response = await small.PostAsync(Webhooks.Request(body, contentLength: null));

        Assert.Equal(413, response.StatusCode);
        Assert.Empty(small.Queue.Commands);
    }

    [Theory]
    [InlineData("{\"alerts\": 5}")]
    [InlineData("{\"status\": \"firing\"}")]
    [InlineData("{\"alerts\": [{\"labels\": {\"kafka_cr\": 1}}]}")]
    [InlineData("{")]
    public async Task Answers_400_with_a_reason_for_bodies_that_are_not_webhooks(string body)
    {
        var response = await harness.PostAsync(body);

        Assert.Equal(400, response.StatusCode);
        Assert.NotEmpty(Body(response).GetProperty("error").GetString()!);
        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task Answers_503_when_the_queue_cannot_be_reached()
    {
        harness.Queue.Failure = new RequestFailedException("connection refused");

        var response = await harness.PostAsync(Example);

        Assert.Equal(503, response.StatusCode);
        Assert.Contains(harness.Logs.Entries, e => e.Level == LogLevel.Error && e.Exception!.Contains("connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logs.Entries, e => e.EventId == DecisionLog.DecisionEvent);
    }
}
