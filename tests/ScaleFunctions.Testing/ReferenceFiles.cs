using Xunit;

namespace ScaleFunctions.Testing;

/// <summary>Reference data copied into the test output (<c>Reference/…</c>) and files of the repository itself.</summary>
public static class ReferenceFiles
{
    public static string Directory(string folder) => Path.Combine(AppContext.BaseDirectory, "Reference", folder);

    /// <summary>The Alertmanager webhook payloads (file names), for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> AlertmanagerPayloads()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory("alertmanager"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static byte[] AlertmanagerPayload(string fileName) => File.ReadAllBytes(Path.Combine(Directory("alertmanager"), fileName));

    /// <summary>The repository root (holding ScaleFunctions.sln), found above the test output.</summary>
    public static string RepositoryRoot =>
        LocalHost.RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("ScaleFunctions.sln not found above the test output.");

    public static string InRepository(string relativePath) => Path.Combine(RepositoryRoot, relativePath);
}
