using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// A real Prometheus, configured from deploy/prometheus/prometheus.yml, whose rule fires pushes straight at one local
/// host (/api/v2/alerts, bearer token from a file) and through a real Alertmanager's webhook at another (/api/alerts):
/// both make the same command with the same idempotency key, and Prometheus' resend makes the same key again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PrometheusPushIntegrationTest(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);
    private readonly string directory = Directory.CreateTempSubdirectory("prometheus-push-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private const string Rules = """
        groups:
          - name: push
            rules:
              - alert: KafkaOverloaded
                expr: vector(1)
                labels: {namespace: kafka, kafka_cr: kafka, severity: alert}
                annotations: {command: upScale, diskSize: 10Gi, mountPath: /kafkalog, storageClass: gp2}
        """;

    [Fact]
    public async Task A_pushed_alert_makes_the_same_command_as_through_Alertmanager_and_a_resend_the_same_key()
    {
        var pushQueue = new AwaitableCommandQueue();
        var webhookQueue = new AwaitableCommandQueue();
        await using var push = await StartHostAsync(pushQueue);
        await using var webhook = await StartHostAsync(webhookQueue);
        var secrets = Path.Combine(directory, "secrets");
        Directory.CreateDirectory(secrets);
        await File.WriteAllTextAsync(Path.Combine(secrets, "scalefunctions-token"), TestCredentials.BearerToken);

        var amDirectory = Directory.CreateDirectory(Path.Combine(directory, "alertmanager")).FullName;
        var amConfig = (await File.ReadAllTextAsync(ReferenceFiles.InRepository("deploy/alertmanager/bearer-token.yml")))
            .Replace("https://scalefunctions.example.com", webhook.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("group_wait: 30s", "group_wait: 1s", StringComparison.Ordinal)
            .Replace("/etc/alertmanager/secrets/", secrets + "/", StringComparison.Ordinal);
        await using var alertmanager = await AlertmanagerProcess.StartAsync(amConfig, amDirectory);

        var config = await File.ReadAllTextAsync(ReferenceFiles.InRepository("deploy/prometheus/prometheus.yml"));
        foreach (var (placeholder, value) in new[]
        {
            ("evaluation_interval: 30s", "evaluation_interval: 2s"),
            ("koperator-rules.yml", "push.rules.yml"),
            ("alertmanager.monitoring.svc:9093", alertmanager.BaseAddress.Authority),
            ("scheme: https", "scheme: http"),
            ("scalefunctions.example.com", push.BaseAddress.Authority),
            ("/etc/prometheus/secrets/", secrets + "/"),
        })
        {
            Assert.Contains(placeholder, config, StringComparison.Ordinal);
            config = config.Replace(placeholder, value, StringComparison.Ordinal);
        }

        await using var prometheus = await PrometheusProcess.StartAsync(config, new Dictionary<string, string> { ["push.rules.yml"] = Rules }, directory);

        var pushed = await pushQueue.WhenCountAsync(2).WaitAsync(Deadline);
        var viaAlertmanager = (await webhookQueue.WhenCountAsync(1).WaitAsync(Deadline))[0];

        var first = pushed[0];
        Assert.Equal(ScaleCommandKind.UpScale, first.Command);
        Assert.Equal("kafka/kafka", first.Cluster.ToString());
        Assert.Equal(ScaleTarget.Cluster, first.Target);
        Assert.Equal("10Gi", first.Parameters.DiskSize);
        // Same alert, same fingerprint (Alertmanager's, in its webhook) and start: the same command and key.
        Assert.Equal(viaAlertmanager.IdempotencyKey, first.IdempotencyKey);
        Assert.Equal(viaAlertmanager.Alerts, first.Alerts);
        Assert.Equal(viaAlertmanager.Parameters, first.Parameters);
        var alert = Assert.Single(first.Alerts);
        Assert.Equal(AlertFingerprint.Of(new Dictionary<string, string>
        {
            ["alertname"] = "KafkaOverloaded",
            ["namespace"] = "kafka",
            ["kafka_cr"] = "kafka",
            ["severity"] = "alert",
        }), alert.Fingerprint);
        // Prometheus resends the firing alert (--rules.alert.resend-delay=1s): the same key, which the executor replays.
        Assert.Equal(first.IdempotencyKey, pushed[1].IdempotencyKey);
    }

    private async Task<LocalHostServer> StartHostAsync(AwaitableCommandQueue queue)
    {
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        settings.Remove("Auth:FunctionKey");
        settings["Auth:BearerToken"] = TestCredentials.BearerToken;
        // Prometheus' endsAt is 4 × 2 s ahead here, not 4 minutes: no skew allowance, or firing would read as resolved.
        settings["Intake:ClockSkew"] = "00:00:00";
        return await LocalHostServer.StartAsync(settings, builder =>
        {
            builder.Services.RemoveAll<ICommandQueue>();
            builder.Services.AddSingleton<ICommandQueue>(queue);
        });
    }
}
