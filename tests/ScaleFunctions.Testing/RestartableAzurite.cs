using System.Diagnostics;
using ScaleFunctions.LocalHost;

namespace ScaleFunctions.Testing;

/// <summary>
/// An Azurite of one test's own that can be stopped and started again on the same ports and data: a storage outage.
/// Stopped with SIGTERM, so Azurite saves its data as it closes (Azure Storage loses no acknowledged write; Azurite
/// killed outright could lose its last seconds and make a test blame the app for it). Disposing stops it for good.
/// </summary>
public sealed class RestartableAzurite : IAsyncDisposable
{
    private readonly string location = Directory.CreateTempSubdirectory("azurite-restartable-").FullName;
    private AzuriteProcess? process;
    private (int Blob, int Queue, int Table) ports;

    private RestartableAzurite()
    {
    }

    public string ConnectionString => AzuriteProcess.ConnectionStringFor(ports.Blob, ports.Queue, ports.Table);

    public bool Running => process is not null;

    public static async Task<RestartableAzurite> StartAsync()
    {
        var azurite = new RestartableAzurite();
        await azurite.StartOnAsync(0, 0, 0);
        return azurite;
    }

    /// <summary>Stops Azurite (SIGTERM) and waits until the process has exited: from now on storage refuses connections.</summary>
    public async Task StopAsync()
    {
        var running = process ?? throw new InvalidOperationException("Azurite is not running.");
        process = null;
        using var node = Process.GetProcessById(running.ProcessId);
        using (var kill = Process.Start("kill", ["-TERM", running.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await running.DisposeAsync();
        }
    }

    /// <summary>Starts Azurite again on the same ports with the same data.</summary>
    public Task RestartAsync() => process is null
        ? StartOnAsync(ports.Blob, ports.Queue, ports.Table)
        : throw new InvalidOperationException("Azurite is already running.");

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            await process.DisposeAsync();
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

    private async Task StartOnAsync(int blob, int queue, int table)
    {
        process = await AzuriteProcess.StartAsync(
            AzuriteProcess.Executable(ReferenceFiles.RepositoryRoot), location, blob, queue, table, TimeSpan.FromSeconds(60), CancellationToken.None);
        ports = (process.BlobPort, process.QueuePort, process.TablePort);
    }
}
