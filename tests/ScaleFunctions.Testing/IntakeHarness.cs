using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Testing;

/// <summary>
/// Alert intake as the app registers it (AddScaleFunctions), with in-memory queue and resolutions, a fixed clock and
/// captured logs. Default settings: cluster kafka/kafka managed, a function key required.
/// </summary>
public sealed class IntakeHarness : IDisposable
{
    private readonly ServiceProvider provider;

    public IntakeHarness(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["Auth:FunctionKey"] = TestCredentials.FunctionKey,
            ["Clusters:0:Namespace"] = "kafka",
            ["Clusters:0:Name"] = "kafka",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<ICommandQueue>(Queue);
        services.AddSingleton<IAlertResolutions>(Resolutions);
        services.AddScaleFunctions(configuration);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FixedTime Time { get; } = new(DateTimeOffset.Parse("2025-01-15T10:05:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public RecordingCommandQueue Queue { get; } = new();

    public RecordingAlertResolutions Resolutions { get; } = new();

    public LogRecorder Logs { get; } = new();

    public IServiceProvider Services => provider;

    public AlertWebhookHandler Handler => provider.GetRequiredService<AlertWebhookHandler>();

    public Task<WebhookResponse> PostAsync(string body) => Handler.HandleAsync(Webhooks.Request(body), CancellationToken.None);

    public Task<WebhookResponse> PostAsync(WebhookRequest request) => Handler.HandleAsync(request, CancellationToken.None);

    public void Dispose() => provider.Dispose();
}
