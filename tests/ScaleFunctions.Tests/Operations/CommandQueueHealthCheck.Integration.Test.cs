using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Operations;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

[Collection(AzuriteCollection.Name)]
public sealed class CommandQueueHealthCheckIntegrationTest(AzuriteFixture fixture)
{
    private static async Task<(int Status, JsonElement Queue)> HealthAsync(string connectionString, string queueName)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["ScaleCommandQueue"] = queueName,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddScaleFunctions(configuration);
        await using var provider = services.BuildServiceProvider();
        var health = await provider.GetRequiredService<HealthCheckReport>().CheckAsync(CancellationToken.None);
        var queue = JsonDocument.Parse(health.JsonBody).RootElement.GetProperty("checks").GetProperty("queue").Clone();
        return (health.StatusCode, queue);
    }

    private static string NewQueueName() => $"health-{Guid.NewGuid():N}"[..30];

    [Fact]
    public async Task A_reachable_queue_is_healthy_and_says_how_many_messages_wait()
    {
        var name = NewQueueName();
        var queue = new QueueClient(fixture.ConnectionString, name);
        await queue.CreateAsync();
        await queue.SendMessageAsync("e30=");

        var (status, check) = await HealthAsync(fixture.ConnectionString, name);

        Assert.Equal(200, status);
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.Equal($"Queue {name} reachable: 1 message(s) waiting, 0 in {name}-poison.", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Poison_messages_make_the_queue_degraded_but_still_answer_200()
    {
        var name = NewQueueName();
        await new QueueClient(fixture.ConnectionString, name).CreateAsync();
        var poison = new QueueClient(fixture.ConnectionString, $"{name}-poison");
        await poison.CreateAsync();
        await poison.SendMessageAsync("e30=");

        var (status, check) = await HealthAsync(fixture.ConnectionString, name);

        Assert.Equal(200, status);
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Contains($"1 in {name}-poison", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_not_created_yet_is_degraded_not_down()
    {
        var name = NewQueueName();

        var (status, check) = await HealthAsync(fixture.ConnectionString, name);

        Assert.Equal(200, status);
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.Equal($"Queue {name} does not exist yet; intake creates it with the first command.", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Unreachable_storage_is_unhealthy_without_the_account_key_in_the_report()
    {
        var connectionString = fixture.ConnectionString.Replace($":{fixture.Process.QueuePort}/", $":{ClosedPort.Next()}/", StringComparison.Ordinal);

        var (status, check) = await HealthAsync(connectionString, "scale-commands");

        Assert.Equal(503, status);
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.DoesNotContain(AzuriteProcess.AccountKey, check.ToString(), StringComparison.Ordinal);
    }
}
