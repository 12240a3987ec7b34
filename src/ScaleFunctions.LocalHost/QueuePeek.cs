using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// <c>npm run peek</c>: prints the messages waiting on the command queue and its poison queue, without taking them,
/// using the same settings as the local host. For checking by hand what intake enqueued.
/// </summary>
public static class QueuePeek
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);
        var storage = new StorageAccount(builder.Configuration);
        var name = builder.Configuration[CommandQueueOptions.SettingName] is { Length: > 0 } configured ? configured : CommandQueueOptions.DefaultName;
        foreach (var queueName in new[] { name, $"{name}-poison" })
        {
            var queue = storage.GetQueue(queueName);
            if (!await queue.ExistsAsync())
            {
                Console.WriteLine($"{queueName}: does not exist yet");
                continue;
            }

            var messages = (await queue.PeekMessagesAsync(32)).Value;
            Console.WriteLine($"{queueName}: {messages.Length} message(s){(messages.Length == 32 ? " (first 32 shown)" : "")}");
            foreach (var message in messages)
            {
                Console.WriteLine(message.Body.ToString());
            }
        }

        return 0;
    }
}
