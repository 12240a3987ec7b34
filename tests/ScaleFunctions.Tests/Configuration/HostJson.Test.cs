using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;

namespace ScaleFunctions.Tests.Configuration;

/// <summary>host.json as both hosts add it: the executor's dequeue limit is the one the host moves messages to poison at.</summary>
public sealed class HostJsonTest : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("hostjson-").FullName;

    public HostJsonTest() =>
        File.WriteAllText(Path.Combine(directory, "host.json"), """{ "version": "2.0", "extensions": { "queues": { "maxDequeueCount": 3 } } }""");

    [Fact]
    public void The_executor_takes_the_dequeue_limit_from_host_json()
    {
        Assert.Equal(3, Options(new()).MaxDequeueCount);
    }

    [Fact]
    public void An_app_setting_overrides_host_json_as_on_the_functions_host()
    {
        Assert.Equal(7, Options(new() { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "7" }).MaxDequeueCount);
    }

    [Fact]
    public void A_missing_host_json_stops_the_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder().AddHostJson(Path.Combine(directory, "missing")));

        Assert.Contains("host.json was not found", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private HostQueueOptions Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).AddHostJson(directory).Build();
        using var services = new ServiceCollection().AddScaleFunctions(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<HostQueueOptions>>().Value;
    }
}
