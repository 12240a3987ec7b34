using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// Runs the one DI entry point (<see cref="ScaleFunctionsServiceCollectionExtensions.AddScaleFunctions"/>) over a
/// recording configuration, builds every options type it registers (binding reads each property's key, set or not)
/// and runs the start-up validation, so a test learns which keys the code reads and whether it would start.
/// </summary>
public sealed class SettingsTheCodeReads
{
    private SettingsTheCodeReads(IReadOnlyCollection<string> keys, IReadOnlyList<string> startupFailures)
    {
        Keys = keys;
        StartupFailures = startupFailures;
    }

    /// <summary>Patterns of the keys read (<c>Clusters:*:Namespace</c>), case-insensitive.</summary>
    public IReadOnlyCollection<string> Keys { get; }

    /// <summary>What options validation says is wrong or missing with the given settings.</summary>
    public IReadOnlyList<string> StartupFailures { get; }

    public static SettingsTheCodeReads With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new RecordingConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var services = new ServiceCollection().AddLogging();
        services.AddScaleFunctions(configuration);
        using var provider = services.BuildServiceProvider();

        var failures = new List<string>();
        foreach (var optionsType in OptionsTypes(services))
        {
            try
            {
                var factory = provider.GetRequiredService(typeof(IOptionsFactory<>).MakeGenericType(optionsType));
                factory.GetType().GetMethod(nameof(IOptionsFactory<object>.Create))!.Invoke(factory, [Options.DefaultName]);
            }
            catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is OptionsValidationException invalid)
            {
                failures.AddRange(invalid.Failures);
            }
        }

        try
        {
            provider.GetRequiredService<StorageAccount>();
        }
        catch (InvalidOperationException ex)
        {
            failures.Add(ex.Message);
        }

        var keys = configuration.Reads.Select(DeployedSettings.Pattern).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new SettingsTheCodeReads(keys, failures);
    }

    private static IEnumerable<Type> OptionsTypes(IServiceCollection services) => services
        .Select(d => d.ServiceType)
        .Where(t => t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>) ||
                                        t.GetGenericTypeDefinition() == typeof(IValidateOptions<>) ||
                                        t.GetGenericTypeDefinition() == typeof(IPostConfigureOptions<>)))
        .Select(t => t.GetGenericArguments()[0])
        .Where(t => t.Namespace?.StartsWith("ScaleFunctions", StringComparison.Ordinal) == true)
        .Distinct();
}
