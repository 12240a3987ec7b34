using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// A real Alertmanager, configured from a sample in deploy/alertmanager/, delivers alerts posted to its API to the
/// in-process local host on a real Azurite: exactly one command lands on the queue; the resolution is recorded.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertmanagerIntegrationTest(AzuriteFixture azurite) : IDisposable
{
    private const string SampleBaseUrl = "https://scalefunctions.example.com";
    private const string SampleSecrets = "/etc/alertmanager/secrets/";
    private readonly string directory = Directory.CreateTempSubdirectory("alertmanager-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string> Samples => ["function-key-in-url.yml", "bearer-token.yml", "basic-auth.yml"];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Six_upScale_alerts_through_Alertmanager_become_exactly_one_command_and_their_resolution_is_recorded(string sample)
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings.Remove("Auth:FunctionKey");
        settings[sample switch
        {
            "bearer-token.yml" => "Auth:BearerToken",
            "basic-auth.yml" => "Auth:BasicPassword",
            _ => "Auth:FunctionKey",
        }] = sample switch
        {
            "bearer-token.yml" => TestCredentials.BearerToken,
            "basic-auth.yml" => TestCredentials.BasicPassword,
            _ => TestCredentials.FunctionKey,
        };
        if (sample == "basic-auth.yml")
        {
            settings["Auth:BasicUsername"] = "alertmanager";
        }

        await using var host = await LocalHostServer.StartAsync(settings);
        await using var alertmanager = await AlertmanagerProcess.StartAsync(await ConfigFromSampleAsync(sample, host.BaseAddress), directory);

        // Alertmanager flushes a group as soon as its first alert is in when that alert started more than group_wait
        // ago, while the dispatcher may still be inserting the others of the same POST (a flush after 2 of 6 alerts
        // was seen on a loaded machine). A silence holds the group until the dispatcher has all six; the first flush
        // after it expires sends them together.
        var silence = await alertmanager.SilenceAsync(new Dictionary<string, string> { ["kafka_cr"] = "kafka" });
        var startsAt = DateTimeOffset.UtcNow.AddMinutes(-10);
        var alerts = Enumerable.Range(1, 6).Select(i => Alert($"KafkaOverloaded{i}", startsAt, endsAt: null)).ToList();
        await alertmanager.PostAlertsAsync(alerts);
        await Eventually.UntilAsync(
            async () => (await alertmanager.GroupedAlertsAsync()).Count(a => a["alertname"].StartsWith("KafkaOverloaded", StringComparison.Ordinal)) == 6,
            "Alertmanager's dispatcher to hold all six alerts");
        await alertmanager.ExpireSilenceAsync(silence);

        var command = (await Eventually.GetAsync(async () => (await CommandsAsync(queueName)).FirstOrDefault(), "a command on the queue"))!;
        await Eventually.UntilAsync(
            async () => await alertmanager.CounterAsync("alertmanager_notifications_total", "integration=\"webhook\"") >= 1,
            "Alertmanager to count its notification");

        Assert.Single(await CommandsAsync(queueName));
        Assert.Equal(0, await alertmanager.CounterAsync("alertmanager_notifications_failed_total", "integration=\"webhook\""));
        Assert.Equal(ScaleCommandKind.UpScale, command.Command);
        Assert.Equal("kafka/kafka", command.Cluster.ToString());
        Assert.Equal(6, command.Alerts.Count);
        Assert.Equal("10Gi", command.Parameters.DiskSize);
        await AssertFingerprintsAreAlertmanagersAsync(alertmanager, command);

        // Resolve the alerts: Alertmanager sends a resolved notification; intake records it and enqueues nothing.
        // Posting them already resolved could race with a flush too (4 firing + 2 resolved would be a new upScale);
        // instead all six get one end time a few seconds ahead, so every flush sees them all firing or all resolved.
        // (It replaces the resolve timeout they were posted with; an explicit later end time would win over it.
        // Silencing does not help here: a silenced resolved alert is dropped without a notification.)
        var endsAt = DateTimeOffset.UtcNow.AddSeconds(5);
        await alertmanager.PostAlertsAsync(Enumerable.Range(1, 6).Select(i => Alert($"KafkaOverloaded{i}", startsAt, endsAt)));
        var resolutions = host.Services.GetRequiredService<IAlertResolutions>();
        await Eventually.UntilAsync(
            () => resolutions.AreAllResolvedAsync(command.Cluster, command.Alerts, CancellationToken.None),
            "the resolution of every alert of the command to be recorded");
        Assert.Single(await CommandsAsync(queueName));
    }

    private async Task<string> ConfigFromSampleAsync(string sample, Uri app)
    {
        var text = await File.ReadAllTextAsync(ReferenceFiles.InRepository(Path.Combine("deploy", "alertmanager", sample)));
        var secrets = Path.Combine(directory, "secrets") + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(secrets);
        await File.WriteAllTextAsync(secrets + "scalefunctions-token", TestCredentials.BearerToken);
        await File.WriteAllTextAsync(secrets + "scalefunctions-password", TestCredentials.BasicPassword);

        // The test changes only where the sample says "yours goes here", and the timings.
        foreach (var (placeholder, value) in new[]
        {
            (SampleBaseUrl, app.ToString().TrimEnd('/')),
            ("group_wait: 30s", "group_wait: 1s"),
            ("group_interval: 5m", "group_interval: 1s"),
        })
        {
            Assert.Contains(placeholder, text, StringComparison.Ordinal);
            text = text.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return text.Replace(SampleSecrets, secrets, StringComparison.Ordinal)
            .Replace("REPLACE_WITH_FUNCTION_KEY", TestCredentials.FunctionKey, StringComparison.Ordinal);
    }

    /// <summary>An alert as posted to Alertmanager's API; without <paramref name="endsAt"/> it ends at Alertmanager's resolve timeout.</summary>
    private static object Alert(string name, DateTimeOffset startsAt, DateTimeOffset? endsAt)
    {
        var alert = new Dictionary<string, object>
        {
            ["labels"] = new Dictionary<string, string> { ["alertname"] = name, ["namespace"] = "kafka", ["kafka_cr"] = "kafka", ["severity"] = "alert" },
            ["annotations"] = new Dictionary<string, string> { ["command"] = "upScale", ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog", ["storageClass"] = "gp2" },
            ["startsAt"] = startsAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["generatorURL"] = "http://prometheus:9090/graph",
        };
        if (endsAt is { } end)
        {
            alert["endsAt"] = end.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        return alert;
    }

    private async Task<IReadOnlyList<ScaleCommand>> CommandsAsync(string queueName)
    {
        var raw = azurite.RawQueue(queueName);
        return !await raw.ExistsAsync()
            ? []
            : [.. (await raw.PeekMessagesAsync(32)).Value.Select(m => ScaleCommandCodec.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))))];
    }

    private static async Task AssertFingerprintsAreAlertmanagersAsync(AlertmanagerProcess alertmanager, ScaleCommand command)
    {
        var listed = await alertmanager.Client.GetFromJsonAsync<JsonElement>("api/v2/alerts");
        var fingerprints = listed.EnumerateArray().ToDictionary(
            a => a.GetProperty("fingerprint").GetString()!,
            a => a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));

        Assert.Equal(command.Alerts.Select(a => a.Fingerprint).Order(), fingerprints.Keys.Order());
        // The fingerprint intake derives for senders that omit it is the one Alertmanager computes.
        Assert.All(fingerprints, pair => Assert.Equal(pair.Key, AlertFingerprint.Of(pair.Value)));
    }
}
