namespace ScaleFunctions.Testing;

/// <summary>The repository's root directory (the one holding ScaleFunctions.sln), found from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ScaleFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ScaleFunctions.sln not found above {AppContext.BaseDirectory}.");
    }
}
