using Azure.Storage.Queues;
using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// <c>npm run peek</c>: prints the messages waiting on the command queue and its poison queue, without taking them, for
/// checking by hand what intake enqueued. Azure Storage peeks at most 32 messages, so the output also gives each
/// queue's approximate total and says when more wait than are shown.
/// </summary>
public static class QueuePeek
{
    /// <summary>Azure Storage's most messages per peek.</summary>
    public const int MaxPeek = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);
        var storage = new StorageAccount(builder.Configuration);
        var name = builder.Configuration[CommandQueueOptions.SettingName] is { Length: > 0 } configured ? configured : CommandQueueOptions.DefaultName;
        foreach (var queueName in new[] { name, $"{name}-poison" })
        {
            await PrintAsync(storage.GetQueue(queueName), Console.Out, CancellationToken.None);
        }

        return 0;
    }

    public static async Task PrintAsync(QueueClient queue, TextWriter output, CancellationToken cancellationToken)
    {
        if (!await queue.ExistsAsync(cancellationToken))
        {
            await output.WriteLineAsync($"{queue.Name}: does not exist yet");
            return;
        }

        // The count includes messages that are invisible right now (being processed, or deferred); peek shows only visible ones.
        var total = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        var messages = (await queue.PeekMessagesAsync(MaxPeek, cancellationToken)).Value;
        var more = total - messages.Length;
        await output.WriteLineAsync(
            $"{queue.Name}: about {total} message(s), {messages.Length} visible shown" +
            (more > 0 ? $"; {more} more not shown (peek returns at most {MaxPeek} visible messages; invisible ones are being processed or deferred)" : ""));
        foreach (var message in messages)
        {
            await output.WriteLineAsync(message.Body.ToString());
        }
    }
}
