using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>The local queue listener on a real Azurite behaves as the Functions queue trigger is documented to.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueListenerIntegrationTest(AzuriteFixture azurite)
{
    private readonly string queueName = AzuriteFixture.NewQueueName();

    private QueueClient Queue(string name) => new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    private async Task SendAsync(params string[] texts)
    {
        var queue = Queue(queueName);
        await queue.CreateIfNotExistsAsync();
        foreach (var text in texts)
        {
            await queue.SendMessageAsync(text);
        }
    }

    private Task<LocalHostServer> StartAsync(ScriptedCommandHandler? handler, Action<QueueListenerOptions>? listener = null) =>
        LocalHostServer.StartAsync(
            LocalHostServer.Settings(azurite.ConnectionString, queueName),
            builder => builder.Services.Configure<QueueListenerOptions>(o =>
            {
                o.MaxPollingInterval = TimeSpan.FromMilliseconds(200);
                listener?.Invoke(o);
            }),
            handler);

    private async Task<int> CountAsync(string name)
    {
        var queue = Queue(name);
        return await queue.ExistsAsync() ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;
    }

    [Fact]
    public async Task Uses_the_queue_settings_of_the_apps_host_json()
    {
        await using var host = await StartAsync(null);
        using var hostJson = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        var options = host.Services.GetRequiredService<IOptions<QueueListenerOptions>>().Value;

        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), options.EffectiveNewBatchThreshold);
        Assert.Equal(TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture), options.VisibilityTimeout);
        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
    }

    [Fact]
    public async Task Hands_each_message_to_the_handler_and_deletes_it_when_handled()
    {
        var handler = new ScriptedCommandHandler((_, _) => Task.CompletedTask);
        await SendAsync("{\"command\":1}");
        await using var host = await StartAsync(handler);

        var (text, context) = await handler.NextCallAsync();

        Assert.Equal("{\"command\":1}", text);
        Assert.Equal(1, context.DequeueCount);
        await Eventually.UntilAsync(async () => await CountAsync(queueName) == 0, "the handled message to be deleted");
    }

    [Fact]
    public async Task Delivers_a_failed_message_again_after_the_visibility_timeout()
    {
        var handler = new ScriptedCommandHandler((_, context) =>
            context.DequeueCount == 1 ? throw new InvalidOperationException("transient") : Task.CompletedTask);
        await SendAsync("retry me");
        await using var host = await StartAsync(handler, o => o.VisibilityTimeout = TimeSpan.Zero);

        var first = await handler.NextCallAsync();
        var second = await handler.NextCallAsync();

        Assert.Equal(first.Context.MessageId, second.Context.MessageId);
        Assert.Equal(2, second.Context.DequeueCount);
        await Eventually.UntilAsync(async () => await CountAsync(queueName) == 0, "the message to be deleted after the second attempt");
    }

    [Fact]
    public async Task Moves_a_message_to_the_poison_queue_after_max_dequeue_count_failures()
    {
        var handler = new ScriptedCommandHandler((_, _) => throw new InvalidOperationException("always"));
        await SendAsync("poison me");
        await using var host = await StartAsync(handler, o =>
        {
            o.VisibilityTimeout = TimeSpan.Zero;
            o.MaxDequeueCount = 2;
        });

        await Eventually.UntilAsync(async () => await CountAsync($"{queueName}-poison") == 1, "the message to reach the poison queue");

        var poisoned = Assert.Single((await Queue($"{queueName}-poison").PeekMessagesAsync()).Value);
        Assert.Equal("poison me", poisoned.Body.ToString());
        Assert.Equal(0, await CountAsync(queueName));
        Assert.Equal([1L, 2L], handler.History.Select(c => c.Context.DequeueCount));
    }

    [Fact]
    public async Task With_batch_size_1_and_threshold_0_processes_one_message_at_a_time()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedCommandHandler((_, _) => release.Task);
        await SendAsync("first", "second");
        await using var host = await StartAsync(handler, o =>
        {
            o.BatchSize = 1;
            o.NewBatchThreshold = 0;
        });

        var first = await handler.NextCallAsync();
        var visible = (await Queue(queueName).PeekMessagesAsync(32)).Value;
        release.SetResult();
        var second = await handler.NextCallAsync();

        Assert.Single(visible);
        Assert.NotEqual(first.Text, second.Text);
        Assert.Equal(visible[0].Body.ToString(), second.Text);
    }

    [Fact]
    public async Task Does_not_listen_when_no_handler_is_registered()
    {
        await SendAsync("left alone");
        await using var host = await StartAsync(null);

        var listener = host.Services.GetServices<IHostedService>().OfType<QueueListener>().Single();
        await listener.ExecuteTask!.WaitAsync(Eventually.DefaultDeadline);

        Assert.Equal("left alone", Assert.Single((await Queue(queueName).PeekMessagesAsync()).Value).Body.ToString());
    }

    [Fact]
    public async Task Does_not_listen_when_the_functions_host_switch_disables_the_queue_function()
    {
        await SendAsync("left alone");
        var settings = LocalHostServer.Settings(azurite.ConnectionString, queueName);
        settings[QueueListener.DisabledSetting] = "true";
        var handler = new ScriptedCommandHandler(static (_, _) => Task.CompletedTask);
        await using var host = await LocalHostServer.StartAsync(settings, commandHandler: handler);

        var listener = host.Services.GetServices<IHostedService>().OfType<QueueListener>().Single();
        await listener.ExecuteTask!.WaitAsync(Eventually.DefaultDeadline);

        Assert.Empty(handler.History);
        Assert.Equal("left alone", Assert.Single((await Queue(queueName).PeekMessagesAsync()).Value).Body.ToString());
    }
}
