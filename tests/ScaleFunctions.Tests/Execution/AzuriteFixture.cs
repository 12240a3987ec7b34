using ScaleFunctions.Hosting;

namespace ScaleFunctions.Tests.Execution;

/// <summary>One Azurite process (npm <c>azurite</c> of the repository) on free loopback ports with a temporary location, for a test class.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string location = Path.Combine(Path.GetTempPath(), $"azurite-executor-{Guid.NewGuid():N}");
    private AzuriteProcess? azurite;

    public string ConnectionString => azurite!.ConnectionString;

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Repository root not found.");
        Directory.CreateDirectory(location);
        azurite = await AzuriteProcess.StartAsync(AzuriteProcess.Executable(root), location, 0, 0, 0, TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        Directory.Delete(location, recursive: true);
    }
}
