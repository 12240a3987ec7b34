using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;

namespace ScaleFunctions;

/// <summary>Registers alert intake: webhook authentication, interpretation, coalescing and the command queue.</summary>
public static class IntakeServiceCollectionExtensions
{
    public static IServiceCollection AddAlertIntake(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IntakeOptions>()
            .Bind(configuration.GetSection(IntakeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IntakeOptions>, IntakeOptionsValidator>());

        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());

        services.AddOptions<CommandQueueOptions>()
            .Configure(o => o.Name = configuration[CommandQueueOptions.SettingName] is { Length: > 0 } name ? name : CommandQueueOptions.DefaultName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton<ICommandQueue, StorageCommandQueue>();
        services.TryAddSingleton<IAlertResolutions>(sp => new TableAlertResolutions(
            sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<IOptions<IntakeOptions>>().Value.ResolutionsTable, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<WebhookAuthenticator>();
        services.TryAddSingleton<AlertInterpreter>();
        services.TryAddSingleton<CommandCoalescer>();
        services.TryAddSingleton<WebhookReader>();
        services.TryAddSingleton<AlertWebhookHandler>();
        return services;
    }
}
