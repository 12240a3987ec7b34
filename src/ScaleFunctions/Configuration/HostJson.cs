using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace ScaleFunctions.Configuration;

/// <summary>
/// The app's <c>host.json</c> (the repository root's, linked into each host's build output) as configuration, where the
/// Functions host puts it: under <c>AzureFunctionsJobHost</c>. Lowest priority, so that an app setting such as
/// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> overrides it, as on the Functions host. Both hosts
/// add it, so the settings the app shares with the host (the dequeue limit) are read from the file the host reads.
/// </summary>
public static class HostJson
{
    public const string Section = "AzureFunctionsJobHost";

    public static IConfigurationBuilder AddHostJson(this IConfigurationBuilder builder, string directory)
    {
        var path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"host.json was not found at {path}; it is linked into the build output from the repository root.");
        }

        var values = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => $"{Section}:{pair.Key}", pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        builder.Sources.Insert(0, new MemoryConfigurationSource { InitialData = values });
        return builder;
    }
}
