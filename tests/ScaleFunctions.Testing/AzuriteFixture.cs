using Azure.Data.Tables;
using Azure.Storage.Queues;
using ScaleFunctions.LocalHost;
using Xunit;

namespace ScaleFunctions.Testing;

/// <summary>
/// A real Azurite for a test collection: the repository's npm <c>azurite</c> on 127.0.0.1, on free ports Azurite
/// picks itself, data in a temporary directory; stopped by process id and the directory deleted at the end.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly string location = Path.Combine(Path.GetTempPath(), $"azurite-{Guid.NewGuid():N}");
    private AzuriteProcess? azurite;

    public string ConnectionString => Process.ConnectionString;

    public AzuriteProcess Process => azurite ?? throw new InvalidOperationException("Azurite is not started.");

    /// <summary>A queue name no other test uses.</summary>
    public static string NewQueueName() => $"q{Guid.NewGuid():N}"[..20];

    /// <summary>A table name no other test uses.</summary>
    public static string NewTableName() => $"t{Guid.NewGuid():N}"[..20];

    /// <summary>A queue client that sees messages as stored (base64 text), not decoded: what the trigger receives.</summary>
    public QueueClient RawQueue(string name) => new(ConnectionString, name);

    public TableClient Table(string name) => new(ConnectionString, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(location);
        azurite = await AzuriteProcess.StartAsync(
            AzuriteProcess.Executable(ReferenceFiles.RepositoryRoot), location, 0, 0, 0, TimeSpan.FromSeconds(60), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }

        try
        {
            Directory.Delete(location, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}
