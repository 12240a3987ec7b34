using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// Azure Storage's limits are real in Azurite (64 KiB per message, 100 entities per table batch): intake sends
/// webhooks at and past every documented cap, and what it writes is what storage takes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageLimitsIntegrationTest(AzuriteFixture azurite)
{
    private static readonly ClusterRef Kafka = new("kafka", "kafka", ClusterKind.KafkaCluster);

    private static HttpRequestMessage Post(string body) => new(HttpMethod.Post, "api/alerts")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { { "x-functions-key", TestCredentials.FunctionKey } },
    };

    private async Task<IReadOnlyList<ScaleCommand>> CommandsOnQueueAsync(string queueName)
    {
        var raw = azurite.RawQueue(queueName);
        if (!await raw.ExistsAsync())
        {
            return [];
        }

        var commands = new List<ScaleCommand>();
        foreach (var message in (await raw.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value)
        {
            Assert.InRange(message.MessageText.Length, 1, ScaleCommandCodec.MaxMessageBytes);
            commands.Add(ScaleCommandCodec.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText))));
        }

        return commands;
    }

    private async Task<int> MessageCountAsync(string queueName)
    {
        var raw = azurite.RawQueue(queueName);
        return await raw.ExistsAsync() ? (await raw.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    private async Task<int> ResolvedCountAsync(string tableName)
    {
        try
        {
            return await ResolvedCountInAsync(azurite.Table(tableName));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Azurite_takes_a_message_of_64_KiB_and_refuses_one_byte_more_for_good()
    {
        var queue = azurite.RawQueue(AzuriteFixture.NewQueueName());
        await queue.CreateAsync();

        await queue.SendMessageAsync(new string('A', ScaleCommandCodec.MaxMessageBytes));
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync(new string('A', ScaleCommandCodec.MaxMessageBytes + 1)));

        Assert.True(StorageErrors.IsPermanent(refused), $"{refused.Status} {refused.ErrorCode}");
    }

    [Fact]
    public async Task Azurite_takes_a_table_batch_of_100_and_refuses_101()
    {
        var table = azurite.Table(AzuriteFixture.NewTableName());
        await table.CreateAsync();
        List<TableTransactionAction> Batch(int count, string prefix) =>
            [.. Enumerable.Range(0, count).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("p", $"{prefix}{i}")))];

        await table.SubmitTransactionAsync(Batch(100, "a"));

        // Azurite answers 101 with an error the SDK cannot even parse; Azure answers 400. Either way nothing is written.
        await Assert.ThrowsAnyAsync<Exception>(() => table.SubmitTransactionAsync(Batch(101, "b")));
        Assert.Equal(100, await ResolvedCountInAsync(table));
    }

    private static async Task<int> ResolvedCountInAsync(TableClient table)
    {
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    public static TheoryData<int, int> LargeUpScales => new() { { 342, 12 }, { 100, 256 }, { 2_000, 256 } };

    [Theory]
    [MemberData(nameof(LargeUpScales))]
    public async Task Coalesces_many_upScale_alerts_into_one_message_that_fits(int alerts, int nameLength)
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings["Intake:MaxBodyBytes"] = $"{16 * 1024 * 1024}";
        await using var host = await LocalHostServer.StartAsync(settings);
        var body = Webhooks.Firing([.. Enumerable.Range(1, alerts).Select(i => Webhooks.Alert($"Overloaded{i}".PadRight(nameLength, 'x'), "upScale"))]);

        using var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var command = Assert.Single(await CommandsOnQueueAsync(queueName));
        Assert.Equal(alerts, command.AlertCount);
        Assert.Equal(ScaleCommand.MaxAlerts, command.Alerts.Count);
    }

    [Fact]
    public async Task The_largest_command_intake_can_make_fits_a_queue_message()
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings["Intake:MaxBodyBytes"] = $"{16 * 1024 * 1024}";
        settings["Intake:AllowBrokerAnnotations"] = "true";
        settings["Intake:AllowedImagePrefixes:0"] = "registry.example.com/";
        await using var host = await LocalHostServer.StartAsync(settings);

        // Every parameter at its longest; 32 annotations of three-byte characters, which JSON need not escape.
        var annotations = string.Join(",", Enumerable.Range(0, ParameterRules.MaxBrokerAnnotations).Select(i => $"\"k{i:D2}\":\"{new string('€', 118)}\""));
        annotations = "{" + annotations + "}";
        var values = new Dictionary<string, string>
        {
            ["brokerAnnotations"] = annotations,
            ["image"] = "registry.example.com/" + new string('a', ParameterRules.MaxImageLength - 21),
            ["storageClass"] = new string('s', 253),
            ["mountPath"] = "/" + new string('m', 254),
            ["diskSize"] = "1125899906842624",
            ["brokerConfigGroup"] = new string('g', 63),
        };
        Assert.InRange(values["brokerAnnotations"].Length, ParameterRules.MaxBrokerAnnotationsLength - 64, ParameterRules.MaxBrokerAnnotationsLength);
        var body = Webhooks.Firing([.. Enumerable.Range(1, 500).Select(i => Webhooks.Alert($"Ü{i}".PadRight(256, 'ß'), "upScale", annotations: values))]);

        using var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var command = Assert.Single(await CommandsOnQueueAsync(queueName));
        Assert.Equal(500, command.AlertCount);
        Assert.Equal(values["image"], command.Parameters.Image);
        Assert.Equal(ParameterRules.MaxBrokerAnnotations, command.Parameters.BrokerAnnotations!.Count);
    }

    public static TheoryData<int> ResolvedCounts => new() { 100, 101, 250 };

    [Theory]
    [MemberData(nameof(ResolvedCounts))]
    public async Task Records_resolved_alerts_in_table_batches_and_the_executor_reads_them_back(int count)
    {
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        await using var host = await LocalHostServer.StartAsync(settings);
        var alerts = Enumerable.Range(1, count).Select(i => Webhooks.Alert($"Gone{i}", "upScale", status: "resolved")).ToArray();

        using var response = await host.Client.SendAsync(Post(Webhooks.Envelope("resolved", alerts)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(count, await ResolvedCountAsync(settings["Intake:ResolutionsTable"]!));
        var resolutions = host.Services.GetRequiredService<IAlertResolutions>();
        var refs = Enumerable.Range(1, ScaleCommand.MaxAlerts).Select(i => new AlertRef(Webhooks.Fingerprint($"Gone{i}"), "", Webhooks.StartsAt)).ToList();
        Assert.True(await resolutions.AreAllResolvedAsync(Kafka, refs, CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(Kafka, [.. refs, new AlertRef(Webhooks.Fingerprint("Firing"), "", Webhooks.StartsAt)], CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(Kafka, [refs[0] with { Fingerprint = Webhooks.Fingerprint("Firing") }, .. refs[1..]], CancellationToken.None));
    }

    [Theory]
    [InlineData(2_000, HttpStatusCode.Accepted)]
    [InlineData(2_001, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Takes_MaxAlertsPerWebhook_alerts_and_refuses_one_more_writing_nothing(int count, HttpStatusCode status)
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        await using var host = await LocalHostServer.StartAsync(settings);
        var body = Webhooks.Firing([
            Webhooks.Alert("Up", "upScale"),
            .. Enumerable.Range(1, count - 1).Select(i => Webhooks.Alert($"Gone{i}", "upScale", status: "resolved"))]);
        Assert.True(Encoding.UTF8.GetByteCount(body) <= new IntakeOptions().MaxBodyBytes);

        using var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(status, response.StatusCode);
        var accepted = status == HttpStatusCode.Accepted;
        Assert.Equal(accepted ? count - 1 : 0, await ResolvedCountAsync(settings["Intake:ResolutionsTable"]!));
        Assert.Equal(accepted ? 1 : 0, await MessageCountAsync(queueName));
    }

    [Theory]
    [InlineData(100, HttpStatusCode.Accepted)]
    [InlineData(101, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Takes_MaxCommandsPerWebhook_commands_and_refuses_one_more_writing_nothing(int count, HttpStatusCode status)
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        await using var host = await LocalHostServer.StartAsync(settings);
        var body = Webhooks.Firing([
            Webhooks.Alert("Gone", "upScale", status: "resolved"),
            .. Enumerable.Range(0, count).Select(i => Webhooks.Alert($"Low{i}", "downScale", labels: new Dictionary<string, string> { ["brokerId"] = $"{i}" }))]);

        using var response = await host.Client.SendAsync(Post(body));

        Assert.Equal(status, response.StatusCode);
        var accepted = status == HttpStatusCode.Accepted;
        Assert.Equal(accepted ? count : 0, await MessageCountAsync(queueName));
        Assert.Equal(accepted ? 1 : 0, await ResolvedCountAsync(settings["Intake:ResolutionsTable"]!));
    }

    [Theory]
    [InlineData(0, true, HttpStatusCode.Accepted)]
    [InlineData(1, true, HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(0, false, HttpStatusCode.Accepted)]
    [InlineData(1, false, HttpStatusCode.RequestEntityTooLarge)]
    public async Task Takes_a_body_of_MaxBodyBytes_and_refuses_one_byte_more(int extra, bool chunked, HttpStatusCode status)
    {
        const int MaxBodyBytes = 4096;
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings["Intake:MaxBodyBytes"] = $"{MaxBodyBytes}";
        await using var host = await LocalHostServer.StartAsync(settings);
        var body = JsonNode.Parse(Webhooks.Firing(Webhooks.Alert("Up", "upScale")))!.AsObject();
        body["receiver"] = "";
        body["receiver"] = new string('r', MaxBodyBytes + extra - Encoding.UTF8.GetByteCount(body.ToJsonString()));
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        Assert.Equal(MaxBodyBytes + extra, bytes.Length);
        using var request = Post("");
        request.Content = new StreamContent(new MemoryStream(bytes));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        else
        {
            request.Content.Headers.ContentLength = bytes.Length;
        }

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(status == HttpStatusCode.Accepted ? 1 : 0, await MessageCountAsync(queueName));
    }
}
