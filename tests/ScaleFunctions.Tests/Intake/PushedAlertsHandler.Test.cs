using System.Text.Json;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>Alerts pushed the way Prometheus pushes them go through the same handler as a webhook, with the same results.</summary>
public sealed class PushedAlertsHandlerTest : IDisposable
{
    private readonly IntakeHarness harness = new();

    public void Dispose() => harness.Dispose();

    private static JsonElement Body(ScaleFunctions.Intake.WebhookResponse response) => JsonDocument.Parse(response.JsonBody).RootElement;

    // Alertmanager's fingerprint of the labels, as a real Alertmanager would put it in its webhook.
    private static System.Text.Json.Nodes.JsonObject Alert(string name, string status = "firing")
    {
        var alert = Webhooks.Alert(name, "upScale", status: status);
        var labels = alert["labels"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
        alert["fingerprint"] = AlertFingerprint.Of(labels);
        return alert;
    }

    [Fact]
    public async Task The_same_alerts_pushed_and_through_a_webhook_make_the_same_command_with_the_same_key()
    {
        var alerts = new[] { Alert("Overloaded1"), Alert("Overloaded2") };

        var pushed = await harness.PostAsync(Webhooks.Pushed(harness.Time.GetUtcNow(), alerts));
        var webhook = await harness.PostAsync(Webhooks.Firing(alerts));

        Assert.Equal(202, pushed.StatusCode);
        Assert.Equal(202, webhook.StatusCode);
        Assert.Equal(2, harness.Queue.Commands.Count);
        var (first, second) = (harness.Queue.Commands[0], harness.Queue.Commands[1]);
        Assert.Equal(second.IdempotencyKey, first.IdempotencyKey);
        Assert.Equal(second.Cluster, first.Cluster);
        Assert.Equal(second.Command, first.Command);
        Assert.Equal(second.Target, first.Target);
        Assert.Equal(second.Alerts, first.Alerts);
        Assert.Equal(Body(webhook).GetProperty("commands").GetRawText(), Body(pushed).GetProperty("commands").GetRawText());
    }

    [Fact]
    public async Task A_pushed_alert_whose_endsAt_has_passed_is_resolved_and_recorded_not_enqueued()
    {
        var response = await harness.PostAsync(Webhooks.Pushed(harness.Time.GetUtcNow(), Alert("Overloaded", status: "resolved")));

        Assert.Equal(202, response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
        var resolved = Assert.Single(harness.Resolutions.Resolved);
        Assert.Equal(Alert("Overloaded")["fingerprint"]!.GetValue<string>(), resolved.Fingerprint);
    }

    [Fact]
    public async Task Too_many_pushed_alerts_are_refused_with_the_Prometheus_setting_to_change()
    {
        using var capped = new IntakeHarness(new Dictionary<string, string?> { ["Intake:MaxAlertsPerWebhook"] = "2" });

        var response = await capped.PostAsync(Webhooks.Pushed(capped.Time.GetUtcNow(), Alert("A"), Alert("B"), Alert("C")));

        Assert.Equal(413, response.StatusCode);
        Assert.Contains("--alertmanager.notification-batch-size", Body(response).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(capped.Queue.Commands);
    }
}
