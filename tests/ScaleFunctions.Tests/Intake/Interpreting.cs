using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>Interprets one test alert as intake would, with a fresh harness.</summary>
internal static class Interpreting
{
    public static AlertInterpretation Interpret(JsonObject alert, IDictionary<string, string?>? settings = null, string? webhookStatus = "firing")
    {
        using var harness = new IntakeHarness(settings);
        var parsed = AlertWebhookParser.Parse(System.Text.Encoding.UTF8.GetBytes(Webhooks.Envelope(webhookStatus ?? "firing", alert)), DateTimeOffset.UnixEpoch, TimeSpan.Zero).Webhook!;
        return harness.Services.GetRequiredService<AlertInterpreter>().Interpret(parsed.Alerts![0]!, webhookStatus);
    }

    public static JsonObject Alert(string? command, Dictionary<string, string>? annotations = null, Dictionary<string, string>? labels = null) =>
        Webhooks.Alert("Test", command, annotations: annotations, labels: labels);

    public static RejectedAlert Rejected(AlertInterpretation interpretation) => Assert.IsType<RejectedAlert>(interpretation);

    public static CommandRequest Request(AlertInterpretation interpretation) => Assert.IsType<CommandRequest>(interpretation);
}
