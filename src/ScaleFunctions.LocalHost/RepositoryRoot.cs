namespace ScaleFunctions.LocalHost;

/// <summary>Finds the repository root (the directory holding <c>ScaleFunctions.sln</c>) above a directory.</summary>
public static class RepositoryRoot
{
    public static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
