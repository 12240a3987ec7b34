using System.Net.Sockets;
using ScaleFunctions.Storage;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The repository's Azurite as the local host's storage, started when the settings name the development account and
/// nothing serves it yet, stopped by process id when the app stops (docs/local-host.md#settings). Registered first, so
/// storage is up before the triggers and the HTTP server start.
/// </summary>
public sealed partial class EmbeddedAzurite(StorageAccount storage, IConfiguration configuration, IHostEnvironment environment, ILogger<EmbeddedAzurite> logger) : IHostedService
{
    public const string StartSetting = "LocalHost:StartAzurite";
    public const string LocationSetting = "LocalHost:AzuriteLocation";

    private AzuriteProcess? azurite;

    /// <summary>Azurite's services and the ports an embedded Azurite serves them on (0: any free port).</summary>
    public sealed record Ports(int Blob, int Queue, int Table)
    {
        public IEnumerable<(string Service, int Port)> All =>
            new[] { ("blob", Blob), ("queue", Queue), ("table", Table) }.Where(p => p.Item2 > 0);
    }

    /// <summary>The ports an embedded Azurite would serve for these settings; null when it is not to be started.</summary>
    public static Ports? PortsFor(StorageAccount storage, IConfiguration configuration)
    {
        if (storage.IsDevelopmentStorage)
        {
            return configuration.GetValue(StartSetting, true) ? new Ports(10000, 10001, 10002) : null;
        }

        if (!configuration.GetValue(StartSetting, false))
        {
            return null;
        }

        var queue = storage.GetQueue("probe").Uri;
        var table = storage.GetTable("probe").Uri;
        var development = $"/{AzuriteProcess.AccountName}/";
        return queue.IsLoopback && table.IsLoopback && queue.AbsolutePath.StartsWith(development, StringComparison.Ordinal)
            ? new Ports(0, queue.Port, table.Port)   // the local host uses no blobs
            : null;
    }

    /// <summary>
    /// Where starting Azurite would fail on a port something else holds: a queue port in use means an Azurite already
    /// runs and is used as it is; otherwise each of its ports must be free.
    /// </summary>
    public static (string Service, int Port)? PortInUse(StorageAccount storage, IConfiguration configuration)
    {
        if (PortsFor(storage, configuration) is not { } ports || Listening.On(ports.Queue))
        {
            return null;
        }

        return ports.All.Where(p => Listening.On(p.Port)).Select(p => ((string, int)?)p).FirstOrDefault();
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (PortsFor(storage, configuration) is not { } ports || Listening.On(ports.Queue))
        {
            return;
        }

        var root = RepositoryRoot.Find(environment.ContentRootPath) ?? RepositoryRoot.Find(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException($"AzureWebJobsStorage is development storage but no Azurite runs on 127.0.0.1:{ports.Queue} and the repository (ScaleFunctions.sln) was not found to start one.");
        var location = configuration[LocationSetting] is { Length: > 0 } configured ? configured : Path.Combine(root, ".azurite");
        Directory.CreateDirectory(location);
        azurite = await AzuriteProcess.StartAsync(
            AzuriteProcess.Executable(root), location, ports.Blob, ports.Queue, ports.Table, TimeSpan.FromSeconds(60), cancellationToken);
        LogStarted(logger, azurite.ProcessId, azurite.QueuePort, location);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Started Azurite (process {ProcessId}) with its queue service on 127.0.0.1:{QueuePort}, data in {Location}")]
    private static partial void LogStarted(ILogger logger, int processId, int queuePort, string location);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped Azurite (process {ProcessId})")]
    private static partial void LogStopped(ILogger logger, int processId);

    /// <summary>Whether something accepts connections on 127.0.0.1 on a port.</summary>
    internal static class Listening
    {
        public static bool On(int port)
        {
            if (port <= 0)
            {
                return false;
            }

            using var client = new TcpClient();
            try
            {
                client.Connect("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
