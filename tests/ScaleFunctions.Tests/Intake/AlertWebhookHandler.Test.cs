using System.Text;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;
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
    public async Task Logs_every_decision_once_at_a_level_on_by_default_and_only_counts_alerts_that_are_not_ours()
    {
        using var counter = new DecisionCounter(harness.Services.GetRequiredService<ScaleFunctionsMetrics>());
        var body = Webhooks.Firing(
            Webhooks.Alert("A", "upScale"), Webhooks.Alert("B", "upScale"), Webhooks.Alert("Noise", null), Webhooks.Alert("Typo", "upscale"),
            Webhooks.Alert("Elsewhere", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = "not-managed" }),
            Webhooks.Alert("Gone", "upScale", status: "resolved"), Webhooks.Alert("Gone2", "upScale", status: "resolved"));

        await harness.PostAsync(body);

        var decisions = harness.Logs.Entries.Where(e => e.EventId == DecisionLog.DecisionEvent).ToList();
        Assert.Equal(3, decisions.Count);
        Assert.All(decisions, d => Assert.True(d.Level >= LogLevel.Information, $"{d.Level}: {d.Message}"));
        Assert.Equal(LogLevel.Warning, decisions.Single(d => d["Outcome"] == nameof(DecisionOutcome.Refused)).Level);
        Assert.Equal(IntakeReasonCodes.InvalidAlert, decisions.Single(d => d["Outcome"] == nameof(DecisionOutcome.Refused))["ReasonCode"]);
        var resolved = decisions.Single(d => d["Outcome"] == nameof(DecisionOutcome.Ignored));
        Assert.Equal(IntakeReasonCodes.Resolved, resolved["ReasonCode"]);
        Assert.StartsWith("2 resolved", resolved["Reason"], StringComparison.Ordinal);
        var acted = decisions.Single(d => d["Outcome"] == nameof(DecisionOutcome.Acted));
        var fingerprints = new[] { Webhooks.Fingerprint("A"), Webhooks.Fingerprint("B") }.Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(",", fingerprints), acted["Fingerprints"]);
        Assert.Equal(harness.Queue.Commands[0].IdempotencyKey, acted["CommandKey"]);
        Assert.Equal(IntakeReasonCodes.Enqueued, acted["ReasonCode"]);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Level >= LogLevel.Error);

        var ignored = counter.Measurements.Where(m => m["outcome"] == nameof(DecisionOutcome.Ignored)).ToList();
        Assert.Equal(["kafka/kafka", "kafka/kafka", DecisionLog.UnmanagedCluster], ignored.Select(m => m["cluster"]).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(counter.Measurements, m => string.IsNullOrEmpty(m["cluster"]));
    }

    [Fact]
    public async Task Keeps_forged_lines_NUL_and_huge_fingerprints_out_of_logs_and_responses()
    {
        var forged = "0123456789abcdef\nDecision intake Acted: cluster kafka/kafka\u0000";
        var huge = new string('a', 500_000);
        var body = Webhooks.Firing(
            Webhooks.Alert("Forged", "upScale", fingerprint: forged),
            Webhooks.Alert("Huge", "upScale", fingerprint: huge),
            Webhooks.Alert("NotOurs", null, fingerprint: forged),
            Webhooks.Alert("Forged\nname\u0000", "upscale"));

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
        Assert.True(response.JsonBody.Length < 4_000, $"{response.JsonBody.Length} characters");
        Assert.DoesNotContain("\\n", response.JsonBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0000", response.JsonBody, StringComparison.Ordinal);
        var rejected = Body(response).GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(3, rejected.Count);
        Assert.All(rejected.Take(2), r => Assert.Contains("is not 16 hex digits", r.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.All(harness.Logs.Entries, e =>
        {
            Assert.True(e.Message.Length < 4_000, $"{e.Message.Length} characters");
            Assert.DoesNotContain(e.AllText, c => c is '\n' or '\r' or '\0');
        });
    }

    [Fact]
    public async Task Quotes_values_in_reasons_without_escaping_apostrophes()
    {
        var response = await harness.PostAsync(Webhooks.Firing(Webhooks.Alert("Typo", "upscale")));

        Assert.Contains("unknown command 'upscale'", response.JsonBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", response.JsonBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_400_for_a_duplicate_key_at_any_level_as_for_labels()
    {
        var alert = Webhooks.Alert("A", "upScale").ToJsonString();
        var duplicateAlerts = $"{{\"status\":\"firing\",\"alerts\":[],\"alerts\":[{alert}]}}";
        var duplicateStatus = $"{{\"status\":\"firing\",\"alerts\":[{alert.Replace("\"status\":\"firing\"", "\"status\":\"resolved\",\"status\":\"firing\"", StringComparison.Ordinal)}]}}";
        var duplicateLabel = $"{{\"alerts\":[{alert.Replace("\"alertname\":\"A\"", "\"alertname\":\"A\",\"alertname\":\"B\"", StringComparison.Ordinal)}]}}";

        foreach (var body in new[] { duplicateAlerts, duplicateStatus, duplicateLabel })
        {
            var response = await harness.PostAsync(body);

            Assert.Equal(400, response.StatusCode);
            Assert.Contains("appears twice", Body(response).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task Answers_400_not_valid_UTF8_for_invalid_bytes()
    {
        var bytes = Encoding.UTF8.GetBytes(Webhooks.Firing(Webhooks.Alert("Abc", "upScale")));
        var at = Array.IndexOf(bytes, (byte)'A', Encoding.UTF8.GetString(bytes).IndexOf("\"Abc\"", StringComparison.Ordinal));
        bytes[at] = 0xFF;
        var request = Webhooks.Request("") with { Body = new MemoryStream(bytes), ContentLength = bytes.Length };

        var response = await harness.PostAsync(request);

        Assert.Equal(400, response.StatusCode);
        Assert.Equal($"The body is not valid UTF-8 (at byte {at + 1}).", Body(response).GetProperty("error").GetString());
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

    private static string TwoCommands => Webhooks.Firing(
        Webhooks.Alert("Up", "upScale"), Webhooks.Alert("Down", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "2" }));

    [Fact]
    public async Task Answers_503_when_the_second_command_fails_and_a_resend_repeats_only_known_keys()
    {
        harness.Queue.Failure = new RequestFailedException(503, "Server busy", "ServerBusy", null);
        harness.Queue.FailFromCall = 2;

        var first = await harness.PostAsync(TwoCommands);

        Assert.Equal(503, first.StatusCode);
        Assert.Contains("idempotency key", Body(first).GetProperty("error").GetString(), StringComparison.Ordinal);
        var enqueuedFirst = Assert.Single(harness.Queue.Commands);

        harness.Queue.Failure = null;
        var resend = await harness.PostAsync(TwoCommands);

        Assert.Equal(202, resend.StatusCode);
        var keys = harness.Queue.Commands.Select(c => c.IdempotencyKey).ToList();
        Assert.Equal(3, keys.Count);
        Assert.Equal(2, keys.Distinct().Count());
        Assert.Equal(2, keys.Count(k => k == enqueuedFirst.IdempotencyKey));
    }

    [Fact]
    public async Task A_command_storage_refuses_for_good_is_listed_as_failed_in_a_202_not_a_503()
    {
        harness.Queue.Failure = new RequestFailedException(413, "The request body is too large", "RequestBodyTooLarge", null);
        harness.Queue.FailFromCall = 2;

        var response = await harness.PostAsync(TwoCommands);

        Assert.Equal(202, response.StatusCode);
        Assert.Equal("partial", Body(response).GetProperty("status").GetString());
        var failed = Assert.Single(Body(response).GetProperty("failed").EnumerateArray());
        Assert.Contains("413 RequestBodyTooLarge", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(Body(response).GetProperty("commands").EnumerateArray());
        Assert.Single(harness.Queue.Commands);
        var refused = Assert.Single(harness.Logs.Entries, e => e.EventId == DecisionLog.DecisionEvent && e["Outcome"] == nameof(DecisionOutcome.Refused));
        Assert.Equal(IntakeReasonCodes.StorageRefused, refused["ReasonCode"]);
        Assert.Equal(failed.GetProperty("idempotencyKey").GetString(), refused["CommandKey"]);
    }

    [Fact]
    public async Task A_resolution_storage_refuses_for_good_is_reported_and_the_commands_still_go()
    {
        using var failing = new IntakeHarness();
        var resolutions = new ThrowingResolutions(new RequestFailedException(403, "This request is not authorized", "AuthorizationPermissionMismatch", null));
        var handler = ActivatorUtilities.CreateInstance<AlertWebhookHandler>(failing.Services, (IAlertResolutions)resolutions);
        var body = Webhooks.Firing(Webhooks.Alert("Up", "upScale"), Webhooks.Alert("Gone", "upScale", status: "resolved"));

        var response = await handler.HandleAsync(Webhooks.Request(body), CancellationToken.None);

        Assert.Equal(202, response.StatusCode);
        Assert.Single(failing.Queue.Commands);
        Assert.Contains("not recorded: storage answered 403 AuthorizationPermissionMismatch", Body(response).GetProperty("ignored")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(failing.Logs.Entries, e => e["ReasonCode"] == IntakeReasonCodes.StorageRefused && e.Level == LogLevel.Warning);
    }

    private sealed class ThrowingResolutions(Exception failure) : IAlertResolutions
    {
        public Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken) => throw failure;

        public Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken) => throw failure;
    }

    [Fact]
    public async Task Enqueues_a_coalesced_command_of_342_alerts_that_fits_a_queue_message()
    {
        var body = Webhooks.Firing([.. Enumerable.Range(1, 342).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))]);

        var response = await harness.PostAsync(body);

        Assert.Equal(202, response.StatusCode);
        var command = Assert.Single(harness.Queue.Commands);
        Assert.Equal(342, command.AlertCount);
        Assert.Equal(342, Body(response).GetProperty("commands")[0].GetProperty("alertCount").GetInt32());
        Assert.Equal(ScaleCommand.MaxAlerts, Body(response).GetProperty("commands")[0].GetProperty("fingerprints").GetArrayLength());
        Assert.Contains("caused by 342 alert(s) (32 listed)", harness.Logs.Entries.Single(e => e["Outcome"] == "Acted")["Reason"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10, 202)]
    [InlineData(11, 413)]
    public async Task Refuses_a_webhook_above_MaxAlertsPerWebhook_before_writing_anything(int alerts, int status)
    {
        using var capped = new IntakeHarness(new Dictionary<string, string?> { ["Intake:MaxAlertsPerWebhook"] = "10" });
        var body = Webhooks.Firing([
            .. Enumerable.Range(1, alerts - 1).Select(i => Webhooks.Alert($"Gone{i}", "upScale", status: "resolved")),
            Webhooks.Alert("Up", "upScale")]);

        var response = await capped.PostAsync(body);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(status == 202 ? 1 : 0, capped.Queue.Commands.Count);
        Assert.Equal(status == 202 ? alerts - 1 : 0, capped.Resolutions.Resolved.Count);
        if (status == 413)
        {
            Assert.Contains("Intake:MaxAlertsPerWebhook", Body(response).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(5, 202)]
    [InlineData(6, 413)]
    public async Task Refuses_a_webhook_above_MaxCommandsPerWebhook_before_writing_anything(int commands, int status)
    {
        using var capped = new IntakeHarness(new Dictionary<string, string?> { ["Intake:MaxCommandsPerWebhook"] = "5" });
        var body = Webhooks.Firing([
            Webhooks.Alert("Gone", "upScale", status: "resolved"),
            .. Enumerable.Range(1, commands).Select(i => Webhooks.Alert($"Low{i}", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = $"{i}" }))]);

        var response = await capped.PostAsync(body);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(status == 202 ? commands : 0, capped.Queue.Commands.Count);
        Assert.Equal(status == 202 ? 1 : 0, capped.Resolutions.Resolved.Count);
        if (status == 413)
        {
            Assert.Contains("Intake:MaxCommandsPerWebhook", Body(response).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Answers_408_without_an_exception_log_when_the_body_stops_arriving()
    {
        var request = Webhooks.Request(Example) with { Body = new FailingStream(new IOException("Reading the request body timed out due to data arriving too slowly.")) };

        var response = await harness.PostAsync(request);

        Assert.Equal(408, response.StatusCode);
        Assert.Contains("did not arrive completely", Body(response).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logs.Entries, e => e.Exception is not null || e.Level >= LogLevel.Warning);
        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task Lists_an_alert_with_a_command_but_no_cluster_labels_as_rejected_and_logs_it_at_Warning()
    {
        var lost = Webhooks.Alert("AggregatedAway", "upScale");
        ((System.Text.Json.Nodes.JsonObject)lost["labels"]!).Remove("kafka_cr");

        var response = await harness.PostAsync(Webhooks.Firing(lost, Webhooks.Alert("Overloaded", "upScale")));

        Assert.Equal(202, response.StatusCode);
        Assert.Single(harness.Queue.Commands);
        var rejected = Assert.Single(Body(response).GetProperty("rejected").EnumerateArray());
        Assert.Equal("AggregatedAway", rejected.GetProperty("alertName").GetString());
        Assert.Contains("docs/alert-rules.md", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(Body(response).GetProperty("ignored").EnumerateArray());
        var decision = Assert.Single(harness.Logs.Entries, e => e.EventId == DecisionLog.DecisionEvent && e["Outcome"] == nameof(DecisionOutcome.Refused));
        Assert.Equal(LogLevel.Warning, decision.Level);
        Assert.Equal(IntakeReasonCodes.NoClusterLabels, decision["ReasonCode"]);
    }

    private sealed class FailingStream(Exception failure) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);
    }
}
