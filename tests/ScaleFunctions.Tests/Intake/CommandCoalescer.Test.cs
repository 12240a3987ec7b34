using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class CommandCoalescerTest
{
    private static IReadOnlyList<CoalescedCommand> Coalesce(IntakeHarness harness, params JsonObject[] alerts)
    {
        var webhook = AlertWebhookParser.Parse(Encoding.UTF8.GetBytes(Webhooks.Firing(alerts)), DateTimeOffset.UnixEpoch, TimeSpan.Zero).Webhook!;
        var interpreter = harness.Services.GetRequiredService<AlertInterpreter>();
        var requests = webhook.Alerts!.Select(a => interpreter.Interpret(a!, webhook.Status)).Cast<CommandRequest>();
        return harness.Services.GetRequiredService<CommandCoalescer>().Coalesce(requests);
    }

    private static JsonObject[] SixUpScales() =>
        [.. Enumerable.Range(1, 6).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale", startsAt: Webhooks.StartsAt.AddMinutes(i)))];

    [Fact]
    public void Six_upScale_alerts_for_one_cluster_make_one_command()
    {
        using var harness = new IntakeHarness();

        var command = Assert.Single(Coalesce(harness, SixUpScales())).Command;

        Assert.Equal(ScaleCommandKind.UpScale, command.Command);
        Assert.Equal(6, command.Alerts.Count);
        Assert.Equal(command.Alerts.OrderBy(a => a.Key, StringComparer.Ordinal), command.Alerts);
    }

    [Fact]
    public void Keeps_one_command_per_cluster_command_and_target()
    {
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Clusters:1:Namespace"] = "kafka", ["Clusters:1:Name"] = "other" });
        var otherCluster = Webhooks.Alert("Up", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = "other" });
        var broker1 = Webhooks.Alert("Low1", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "1" });
        var broker1Again = Webhooks.Alert("Low1b", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "1" });
        var broker2 = Webhooks.Alert("Low2", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = "2" });

        var commands = Coalesce(harness, Webhooks.Alert("Up", "upScale"), otherCluster, broker1, broker1Again, broker2).Select(c => c.Command).ToList();

        Assert.Equal(4, commands.Count);
        Assert.Equal(2, commands.Single(c => c.Target.BrokerId == 1).Alerts.Count);
        Assert.Single(commands, c => c.Cluster.Name == "other");
    }

    [Fact]
    public void The_key_is_stable_across_resends_reordering_and_duplicates()
    {
        using var harness = new IntakeHarness();
        var alerts = SixUpScales();
        var first = Coalesce(harness, alerts).Single().Command;

        harness.Time.Now = harness.Time.Now.AddMinutes(5);
        var resentReversed = Coalesce(harness, [.. alerts.Reverse()]).Single().Command;
        var withDuplicates = Coalesce(harness, [.. alerts, .. alerts.Take(2)]).Single().Command;

        Assert.Equal(first.IdempotencyKey, resentReversed.IdempotencyKey);
        Assert.Equal(first.IdempotencyKey, withDuplicates.IdempotencyKey);
        Assert.Equal(6, withDuplicates.Alerts.Count);
        Assert.NotEqual(first.CreatedAt, resentReversed.CreatedAt);
    }

    [Fact]
    public void The_key_changes_with_a_new_firing_episode_or_another_alert()
    {
        using var harness = new IntakeHarness();
        var key = Coalesce(harness, Webhooks.Alert("A", "upScale")).Single().Command.IdempotencyKey;

        var refired = Coalesce(harness, Webhooks.Alert("A", "upScale", startsAt: Webhooks.StartsAt.AddHours(1))).Single().Command.IdempotencyKey;
        var joined = Coalesce(harness, Webhooks.Alert("A", "upScale"), Webhooks.Alert("B", "upScale")).Single().Command.IdempotencyKey;

        Assert.NotEqual(key, refired);
        Assert.NotEqual(key, joined);
        Assert.Matches("^[0-9a-f]{32}$", key);
    }

    [Fact]
    public void The_key_depends_on_cluster_command_and_target()
    {
        var alert = new AlertRef("abc", "A", Webhooks.StartsAt);
        var cluster = new ClusterRef("kafka", "kafka", ScaleFunctions.Configuration.ClusterKind.KafkaCluster);
        var keys = new[]
        {
            IdempotencyKey.Compute(cluster, ScaleCommandKind.UpScale, ScaleTarget.Cluster, [alert]),
            IdempotencyKey.Compute(cluster with { Name = "other" }, ScaleCommandKind.UpScale, ScaleTarget.Cluster, [alert]),
            IdempotencyKey.Compute(cluster, ScaleCommandKind.DownScale, ScaleTarget.Cluster, [alert]),
            IdempotencyKey.Compute(cluster, ScaleCommandKind.DownScale, new ScaleTarget(BrokerId: 1), [alert]),
            IdempotencyKey.Compute(cluster, ScaleCommandKind.DownScale, new ScaleTarget(BrokerId: 11), [alert]),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Expires_a_command_after_the_configured_ttl()
    {
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Intake:CommandTtl"] = "00:05:00" });

        var command = Coalesce(harness, Webhooks.Alert("A", "upScale")).Single().Command;

        Assert.Equal(harness.Time.Now, command.CreatedAt);
        Assert.Equal(harness.Time.Now.AddMinutes(5), command.ExpiresAt);
    }

    [Fact]
    public void Uses_the_parameters_of_the_first_alert_and_says_when_they_disagree()
    {
        using var harness = new IntakeHarness();
        var small = Webhooks.Alert("A", "upScale", fingerprint: "0000000000000001", annotations: new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog" });
        var large = Webhooks.Alert("B", "upScale", fingerprint: "0000000000000002", annotations: new Dictionary<string, string> { ["diskSize"] = "20Gi", ["mountPath"] = "/kafkalog" });

        var coalesced = Coalesce(harness, large, small).Single();
        var agreeing = Coalesce(harness, small, Webhooks.Alert("C", "upScale", annotations: new Dictionary<string, string> { ["diskSize"] = "10Gi", ["mountPath"] = "/kafkalog" })).Single();

        Assert.Equal("10Gi", coalesced.Command.Parameters.DiskSize);
        Assert.True(coalesced.ParametersDisagreed);
        Assert.False(agreeing.ParametersDisagreed);
    }

    private static JsonObject[] UpScales(int count, int nameLength = 12) =>
        [.. Enumerable.Range(1, count).Select(i => Webhooks.Alert($"O{i:D5}".PadRight(nameLength, 'x'), "upScale"))];

    [Fact]
    public void Lists_at_most_MaxAlerts_alerts_counts_all_and_keys_them_all()
    {
        using var harness = new IntakeHarness();
        var alerts = UpScales(342);

        var command = Assert.Single(Coalesce(harness, alerts)).Command;
        var oneFewer = Assert.Single(Coalesce(harness, alerts[..^1])).Command;

        Assert.Equal(ScaleCommand.MaxAlerts, command.Alerts.Count);
        Assert.Equal(342, command.AlertCount);
        Assert.Equal(command.Alerts.OrderBy(a => a.Key, StringComparer.Ordinal), command.Alerts);
        Assert.NotEqual(oneFewer.IdempotencyKey, command.IdempotencyKey);
        Assert.Equal(341, oneFewer.AlertCount);
        Assert.InRange(ScaleCommandCodec.EncodedLength(command), 1, ScaleCommandCodec.MaxMessageBytes);
    }

    [Fact]
    public void Cuts_long_alert_names_in_the_command()
    {
        using var harness = new IntakeHarness();

        var command = Assert.Single(Coalesce(harness, UpScales(100, nameLength: 256))).Command;

        Assert.All(command.Alerts, a => Assert.True(a.AlertName.Length <= Excerpt.MaxLength + 1, a.AlertName));
        Assert.InRange(ScaleCommandCodec.EncodedLength(command), 1, ScaleCommandCodec.MaxMessageBytes);
    }
}

/// <summary>For a Strimzi cluster the node pool is part of the target: one command per pool, as one broker per pool is asked for.</summary>
public sealed class StrimziCoalescingTest
{
    private static readonly Dictionary<string, string?> Strimzi = new()
    {
        ["Clusters:0:Namespace"] = "kafka",
        ["Clusters:0:Name"] = "kafka",
        ["Clusters:0:Kind"] = "KafkaNodePool",
        ["Clusters:0:NodePools:0:Name"] = "broker",
        ["Clusters:0:NodePools:1:Name"] = "small",
    };

    [Fact]
    public void Two_pools_upScale_alerts_in_one_webhook_are_two_commands_and_one_pools_are_one()
    {
        using var harness = new IntakeHarness(Strimzi);
        JsonObject Up(string name, string pool, int minute) => Webhooks.Alert(name, "upScale",
            annotations: new Dictionary<string, string> { ["brokerConfigGroup"] = pool }, startsAt: Webhooks.StartsAt.AddMinutes(minute));
        var webhook = AlertWebhookParser.Parse(Encoding.UTF8.GetBytes(Webhooks.Firing(Up("A", "broker", 1), Up("B", "broker", 2), Up("C", "small", 3))), DateTimeOffset.UnixEpoch, TimeSpan.Zero).Webhook!;
        var interpreter = harness.Services.GetRequiredService<AlertInterpreter>();

        var commands = harness.Services.GetRequiredService<CommandCoalescer>()
            .Coalesce(webhook.Alerts!.Select(a => interpreter.Interpret(a!, webhook.Status)).Cast<CommandRequest>());

        Assert.Equal([("broker", 2), ("small", 1)], commands.Select(c => (c.Command.Target.NodePool!, c.Command.Alerts.Count)).Order());
        Assert.All(commands, c => Assert.False(c.ParametersDisagreed));
    }

    [Fact]
    public void A_Strimzi_addPvc_needs_neither_a_claim_nor_a_mount_path_but_a_Koperator_one_does()
    {
        var alert = Interpreting.Alert("addPvc", annotations: new Dictionary<string, string> { ["diskSize"] = "100Gi", ["brokerConfigGroup"] = "small" });

        var request = Interpreting.Request(Interpreting.Interpret(alert, Strimzi));
        var koperator = Interpreting.Rejected(Interpreting.Interpret(alert));

        Assert.Equal(new ScaleTarget(NodePool: "small"), request.Target);
        Assert.Equal("100Gi", request.Parameters.DiskSize);
        Assert.Contains("the label persistentvolumeclaim is required", koperator.Reason, StringComparison.Ordinal);
        Assert.Contains("the annotation mountPath is required.", koperator.Reason, StringComparison.Ordinal);
    }
}
