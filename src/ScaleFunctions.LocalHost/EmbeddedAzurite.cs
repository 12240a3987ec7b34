using System.Net.Sockets;
using ScaleFunctions.Hosting;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// Azurite as the local host's embedded storage: when <c>AzureWebJobsStorage</c> is <c>UseDevelopmentStorage=true</c>
/// and nothing listens on 127.0.0.1:10001, starts <c>node_modules/.bin/azurite</c> of the repository on its default
/// ports with <c>--location .azurite</c>, waits until it is ready (at most 60 s) and stops it on shutdown.
/// Registered first, so storage is up before the queue listener and the HTTP server start.
/// </summary>
public sealed partial class EmbeddedAzurite(StorageAccount storage, IHostEnvironment environment, ILogger<EmbeddedAzurite> logger) : IHostedService
{
    private const int QueuePort = 10001;
    private AzuriteProcess? azurite;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!storage.IsDevelopmentStorage || await IsListeningAsync(QueuePort, cancellationToken))
        {
            return;
        }

        var root = RepositoryRoot.Find(environment.ContentRootPath) ?? RepositoryRoot.Find(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("AzureWebJobsStorage is UseDevelopmentStorage=true but no Azurite runs on 127.0.0.1:10001 and the repository (ScaleFunctions.sln) was not found to start one.");
        var location = Path.Combine(root, ".azurite");
        Directory.CreateDirectory(location);
        azurite = await AzuriteProcess.StartAsync(
            AzuriteProcess.Executable(root), location, 10000, QueuePort, 10002, TimeSpan.FromSeconds(60), cancellationToken);
        LogStarted(logger, azurite.ProcessId, location);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
            LogStopped(logger, azurite.ProcessId);
            azurite = null;
        }
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) on 127.0.0.1:10000-10002, data in {Location}")]
    private static partial void LogStarted(ILogger logger, int processId, string location);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped Azurite (process {ProcessId})")]
    private static partial void LogStopped(ILogger logger, int processId);
}
