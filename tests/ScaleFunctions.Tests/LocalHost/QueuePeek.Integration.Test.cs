using Microsoft.Extensions.Configuration;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary><c>npm run peek</c> against a real Azurite: the total comes from the queue's properties, not from the peek.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueuePeekIntegrationTest(AzuriteFixture azurite)
{
    private Azure.Storage.Queues.QueueClient Queue(string name) =>
        new StorageAccount(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build()).GetQueue(name);

    [Fact]
    public async Task More_messages_than_a_peek_returns_are_counted_and_said_to_be_more()
    {
        var queue = Queue(AzuriteFixture.NewQueueName());
        await queue.CreateAsync();
        for (var i = 0; i < 40; i++)
        {
            await queue.SendMessageAsync($"{{\"n\":{i}}}");
        }

        var output = new StringWriter();
        await QueuePeek.PrintAsync(queue, output, CancellationToken.None);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"{queue.Name}: about 40 message(s), 32 visible shown; 8 more not shown", lines[0], StringComparison.Ordinal);
        Assert.Equal(1 + 32, lines.Length);
        Assert.Equal("{\"n\":0}", lines[1].TrimEnd('\r'));
    }

    [Fact]
    public async Task Messages_being_processed_count_in_the_total_though_a_peek_cannot_show_them()
    {
        var queue = Queue(AzuriteFixture.NewQueueName());
        await queue.CreateAsync();
        await queue.SendMessageAsync("{\"n\":1}");
        await queue.SendMessageAsync("{\"n\":2}", visibilityTimeout: TimeSpan.FromMinutes(5));

        var output = new StringWriter();
        await QueuePeek.PrintAsync(queue, output, CancellationToken.None);

        Assert.StartsWith($"{queue.Name}: about 2 message(s), 1 visible shown; 1 more not shown", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_within_one_peek_says_nothing_about_more()
    {
        var queue = Queue(AzuriteFixture.NewQueueName());
        await queue.CreateAsync();
        await queue.SendMessageAsync("{\"n\":1}");

        var output = new StringWriter();
        await QueuePeek.PrintAsync(queue, output, CancellationToken.None);

        Assert.Equal($"{queue.Name}: about 1 message(s), 1 visible shown", output.ToString().Split('\n')[0].TrimEnd('\r'));
    }

    [Fact]
    public async Task A_missing_queue_says_so()
    {
        var output = new StringWriter();
        await QueuePeek.PrintAsync(Queue(AzuriteFixture.NewQueueName()), output, CancellationToken.None);

        Assert.EndsWith(": does not exist yet", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }
}
