namespace ScaleFunctions.LocalHost;

/// <summary>The app's <c>host.json</c> (the repository root's, linked into the build output) as configuration.</summary>
public static class HostJson
{
    public const string QueuesSection = "extensions:queues";

    public static IConfiguration Load(string directory)
    {
        var path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"host.json was not found at {path}; it is linked into the build output from the repository root.");
        }

        return new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
    }
}
