using System.Text.Json;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// Reads the <c>Values</c> of <c>local.settings.json</c>, as Core Tools does, so both ways of running the app share one
/// settings file. Looked up in the content root, then the repository root; environment variables still win.
/// </summary>
public static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, string contentRoot)
    {
        var path = Candidates(contentRoot).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return builder;
        }

        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                // Core Tools exposes Values as environment variables, where "__" separates sections.
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] = property.Value.ToString();
            }
        }

        // Inserted first so that environment variables and the command line still override the file.
        builder.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values });
        return builder;
    }

    private static IEnumerable<string> Candidates(string contentRoot)
    {
        yield return Path.Combine(contentRoot, "local.settings.json");
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleFunctions.sln")))
            {
                yield return Path.Combine(dir.FullName, "src", "ScaleFunctions.App", "local.settings.json");
                yield return Path.Combine(dir.FullName, "local.settings.json");
                yield break;
            }
        }
    }
}
