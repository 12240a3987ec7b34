using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Intake;

/// <summary>The local host app in-process, on a real Azurite: what lands on the queue is what the trigger will read.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertWebhookIntegrationTest(AzuriteFixture azurite)
{
    private static readonly string Example = File.ReadAllText(ReferenceFiles.InRepository("docs/examples/upscale-webhook.json"));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Post(string body, string? query = null) => new(HttpMethod.Post, "api/alerts" + query)
    {
        Content = Json(body),
        Headers = { { "x-functions-key", TestCredentials.FunctionKey } },
    };

    /// <summary>Every message on the queue, read as the Functions trigger reads it: base64 text → UTF-8 JSON → command.</summary>
    private async Task<IReadOnlyList<ScaleCommand>> CommandsOnQueueAsync(string queueName)
    {
        var raw = azurite.RawQueue(queueName);
        if (!await raw.ExistsAsync())
        {
            return [];
        }

        var messages = (await raw.PeekMessagesAsync(32)).Value;
        return [.. messages.Select(m => ScaleCommandCodec.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))))];
    }

    [Fact]
    public async Task Puts_one_command_on_the_queue_for_the_documented_example_in_the_trigger_encoding()
    {
        var queueName = AzuriteFixture.NewQueueName();
        await using var host = await LocalHostServer.StartAsync(LocalHostServer.Settings(azurite.ConnectionString, queueName));

        using var response = await host.Client.SendAsync(Post(Example));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var command = Assert.Single(await CommandsOnQueueAsync(queueName));
        Assert.Equal(ScaleCommandKind.UpScale, command.Command);
        Assert.Equal("kafka/kafka", command.Cluster.ToString());
        Assert.Equal(["5e2b7f64c1d0a9b3", "a1c93e0f7b2d4586"], command.Alerts.Select(a => a.Fingerprint));
        Assert.Equal("10G", command.Parameters.DiskSize);
        Assert.Contains(command.IdempotencyKey, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resent_webhook_carries_the_same_idempotency_key()
    {
        var queueName = AzuriteFixture.NewQueueName();
        await using var host = await LocalHostServer.StartAsync(LocalHostServer.Settings(azurite.ConnectionString, queueName));

        (await host.Client.SendAsync(Post(Example))).EnsureSuccessStatusCode();
        (await host.Client.SendAsync(Post(Example))).EnsureSuccessStatusCode();

        var commands = await CommandsOnQueueAsync(queueName);
        Assert.Equal(2, commands.Count);
        Assert.Single(commands.Select(c => c.IdempotencyKey).Distinct());
    }

    public static TheoryData<string, string?, string?> BadRequests => new()
    {
        { "{\"alerts\": 5}", "application/json", TestCredentials.FunctionKey },
        { Example, "text/plain", TestCredentials.FunctionKey },
        { Example, "application/json", null },
        { Example, "application/json", "wrong-key-0123456789abcdef" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Enqueues_nothing_on_bad_input(string body, string? contentType, string? key)
    {
        var queueName = AzuriteFixture.NewQueueName();
        await using var host = await LocalHostServer.StartAsync(LocalHostServer.Settings(azurite.ConnectionString, queueName));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts") { Content = new StringContent(body, Encoding.UTF8, contentType ?? "application/json") };
        request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await host.Client.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await CommandsOnQueueAsync(queueName));
    }

    [Fact]
    public async Task Answers_401_with_WWW_Authenticate_over_HTTP()
    {
        await using var host = await LocalHostServer.StartAsync(LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName()));

        using var response = await host.Client.PostAsync("api/alerts", Json(Example));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("FunctionKey", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Answers_413_for_a_chunked_body_above_the_limit()
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings["Intake:MaxBodyBytes"] = "4096";
        await using var host = await LocalHostServer.StartAsync(settings);
        var body = Webhooks.Firing([.. Enumerable.Range(1, 40).Select(i => Webhooks.Alert($"Overloaded{i}", "upScale"))]);
        using var request = Post(body);
        request.Headers.TransferEncodingChunked = true;
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await CommandsOnQueueAsync(queueName));
    }

    [Fact]
    public async Task Answers_a_body_that_stops_arriving_with_408_and_no_exception_log()
    {
        var logs = new LogRecorder();
        var queueName = AzuriteFixture.NewQueueName();
        await using var host = await LocalHostServer.StartAsync(LocalHostServer.Settings(azurite.ConnectionString, queueName), builder =>
        {
            builder.Logging.AddProvider(logs);

            // Kestrel's own minimum body data rate decides when a slow body is given up; the shortest grace it allows.
            builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate =
                new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(240, TimeSpan.FromSeconds(2)));
        });

        // A raw client: headers and the first chunk of the body, then silence (HttpClient would wait for its own body).
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-functions-key: {TestCredentials.FunctionKey}\r\n" +
            "Transfer-Encoding: chunked\r\n\r\nc\r\n{\"alerts\": [\r\n"));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var response = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(bound.Token);

        Assert.StartsWith("HTTP/1.1 408 ", response, StringComparison.Ordinal);
        Assert.Contains("did not arrive completely", response, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1100 && e["StatusCode"] == "408");
        Assert.DoesNotContain(logs.Entries, e => e.Exception is not null || e.Level >= LogLevel.Error);
        Assert.Empty(await CommandsOnQueueAsync(queueName));
    }

    [Fact]
    public async Task Records_resolved_alerts_in_the_table_the_executor_asks()
    {
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        await using var host = await LocalHostServer.StartAsync(settings);
        var resolved = Webhooks.Envelope("resolved", Webhooks.Alert("Overloaded", "upScale", status: "resolved"), Webhooks.Alert("Other", "upScale", status: "resolved"));

        (await host.Client.SendAsync(Post(resolved))).EnsureSuccessStatusCode();

        var resolutions = host.Services.GetRequiredService<IAlertResolutions>();
        var cluster = new ClusterRef("kafka", "kafka", ScaleFunctions.Configuration.ClusterKind.KafkaCluster);
        var overloaded = new AlertRef(Webhooks.Fingerprint("Overloaded"), "Overloaded", Webhooks.StartsAt);
        var other = new AlertRef(Webhooks.Fingerprint("Other"), "Other", Webhooks.StartsAt);
        var notResolved = new AlertRef(Webhooks.Fingerprint("Third"), "Third", Webhooks.StartsAt);
        Assert.True(await resolutions.AreAllResolvedAsync(cluster, [overloaded, other], CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(cluster, [overloaded, notResolved], CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(cluster with { Name = "other" }, [overloaded], CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(cluster, [overloaded with { StartsAt = Webhooks.StartsAt.AddHours(1) }], CancellationToken.None));
        Assert.False(await resolutions.AreAllResolvedAsync(cluster, [], CancellationToken.None));
        var entity = (await azurite.Table(settings["Intake:ResolutionsTable"]!).GetEntityAsync<Azure.Data.Tables.TableEntity>("kafka:kafka", overloaded.Key)).Value;
        Assert.Equal("Overloaded", entity.GetString("AlertName"));
    }

    [Fact]
    public async Task Answers_503_when_storage_cannot_be_reached()
    {
        var closedPort = ClosedPort();
        var settings = LocalHostServer.Settings(AzuriteProcess.ConnectionStringFor(closedPort, closedPort, closedPort), AzuriteFixture.NewQueueName());
        settings["Intake:StorageTimeout"] = "00:00:03";
        await using var host = await LocalHostServer.StartAsync(settings);

        using var response = await host.Client.SendAsync(Post(Example));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Alertmanager will send again", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keeps_credentials_out_of_every_log_line()
    {
        var logs = new LogRecorder();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        settings["Auth:BearerToken"] = TestCredentials.BearerToken;
        settings["Logging:LogLevel:Default"] = "Trace";
        settings["Logging:LogLevel:Microsoft"] = "Trace";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        await using var host = await LocalHostServer.StartAsync(settings, builder => builder.Logging.AddProvider(logs));

        using var byQuery = await host.Client.PostAsync($"api/alerts?code={TestCredentials.FunctionKey}", Json(Example));
        using var byHeader = await host.Client.SendAsync(Post(Example));
        using var byBearer = new HttpRequestMessage(HttpMethod.Post, "api/alerts") { Content = Json(Example) };
        byBearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestCredentials.BearerToken);
        using var bearerResponse = await host.Client.SendAsync(byBearer);
        using var wrong = await host.Client.PostAsync($"api/alerts?code={TestCredentials.FunctionKey}x", Json(Example));

        Assert.Equal(HttpStatusCode.Accepted, byQuery.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, bearerResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level == LogLevel.Debug);
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(TestCredentials.FunctionKey, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.AllText.Contains(TestCredentials.BearerToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_local_host_refuses_to_start_without_credentials()
    {
        var settings = LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName());
        settings.Remove("Auth:FunctionKey");

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => LocalHostServer.StartAsync(settings));

        Assert.Contains("Auth__AllowAnonymous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_local_host_starts_anonymous_only_when_told_to()
    {
        var queueName = AzuriteFixture.NewQueueName();
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings.Remove("Auth:FunctionKey");
        settings["Auth:AllowAnonymous"] = "true";
        await using var host = await LocalHostServer.StartAsync(settings);

        using var response = await host.Client.PostAsync("api/alerts", Json(Example));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
