using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Operations;

/// <summary>
/// Runs the one DI entry point (<see cref="ScaleFunctionsServiceCollectionExtensions.AddScaleFunctions"/>) over a
/// recording configuration, builds every options type it registers (binding reads each property's key, set or not,
/// in every section it binds, present in the settings or not) and runs the start-up validation, so a test learns
/// which keys the code binds and whether it would start with exactly the given settings.
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
        var given = settings.ToList();
        var (_, failures) = Bind(given, collectFailures: true);

        // The binder reads a section's properties only when the section exists: a top-level section the settings leave
        // out (Executor, Rebalance, …) is made to exist with an empty child that no options class reads. The keys are
        // then every property of every bound options class, under the section name the code binds it from.
        var present = new ConfigurationBuilder().AddInMemoryCollection(given).Build();
        var (firstReads, _) = Bind(given, collectFailures: false);
        var probes = firstReads
            .Where(r => !r.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal) && !present.GetSection(r).Exists())
            .Select(r => new KeyValuePair<string, string?>(ConfigurationPath.Combine(r, Probe), null));
        var (reads, _) = Bind(given.Concat(probes), collectFailures: false);

        // The binder also reads computed properties (Auth:HasBasic, Clusters:*:Id) but never sets them: not settings.
        var computed = ComputedProperties(OptionsTypes(Services(given)));
        var keys = reads
            .Where(r => !r.Contains(Probe, StringComparison.Ordinal) && !computed.Contains(r.Split(ConfigurationPath.KeyDelimiter)[^1]))
            .Select(DeployedSettings.Pattern)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new SettingsTheCodeReads(keys, failures);
    }

    /// <summary>Names of properties without a setter whose value binding cannot fill (not a collection or object), in the options types and the types they hold.</summary>
    private static HashSet<string> ComputedProperties(IEnumerable<Type> optionsTypes)
    {
        var seen = new HashSet<Type>();
        var settable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var computed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Queue<Type>(optionsTypes);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type) || type.Namespace?.StartsWith("ScaleFunctions", StringComparison.Ordinal) != true)
            {
                continue;
            }

            foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            {
                var element = property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[^1] : property.PropertyType;
                pending.Enqueue(element);
                var scalar = property.PropertyType.IsValueType || property.PropertyType == typeof(string);
                (property.SetMethod is { IsPublic: true } || !scalar ? settable : computed).Add(property.Name);
            }
        }

        computed.ExceptWith(settable);
        return computed;
    }

    private static ServiceCollection Services(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScaleFunctions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    private const string Probe = "__section-probe__";

    private static (IReadOnlyCollection<string> Reads, IReadOnlyList<string> Failures) Bind(IEnumerable<KeyValuePair<string, string?>> settings, bool collectFailures)
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
            catch (System.Reflection.TargetInvocationException) when (!collectFailures)
            {
                // Probing: a section made to exist may fail validation or conversion; its keys were read all the same.
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

        return (configuration.Reads, failures);
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
