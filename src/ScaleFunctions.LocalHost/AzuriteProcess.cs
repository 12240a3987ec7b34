using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// An Azurite process (npm <c>azurite</c>) on 127.0.0.1, started with <c>--disableTelemetry --skipApiVersionCheck
/// --silent</c>. Ready when Azurite itself reports each service listening, which also tells the ports when 0 (any free
/// port) was asked for. Disposing stops the process tree it started, by id.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account (public, documented by Microsoft; not a secret).</summary>
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process process;
    private readonly Dictionary<string, int> ports;

    private AzuriteProcess(Process process, Dictionary<string, int> ports)
    {
        this.process = process;
        this.ports = ports;
        ProcessId = process.Id;
    }

    public int ProcessId { get; }

    public int BlobPort => ports["Blob"];

    public int QueuePort => ports["Queue"];

    public int TablePort => ports["Table"];

    /// <summary>A connection string for this instance (explicit endpoints, so it works on any ports).</summary>
    public string ConnectionString => ConnectionStringFor(BlobPort, QueuePort, TablePort);

    public static string ConnectionStringFor(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";

    /// <summary>The <c>node_modules/.bin/azurite</c> launcher under a repository root.</summary>
    public static string Executable(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");

    public static async Task<AzuriteProcess> StartAsync(
        string executable, string location, int blobPort, int queuePort, int tablePort, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run 'npm ci' in the repository root.");
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", location,
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", $"{blobPort}", "--queuePort", $"{queuePort}", "--tablePort", $"{tablePort}",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var ports = new Dictionary<string, int>();
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"Azurite exited before it was ready: {Tail()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var azurite = new AzuriteProcess(process, ports);
        try
        {
            await ready.Task.WaitAsync(timeout, cancellationToken);
            return azurite;
        }
        catch (TimeoutException)
        {
            await azurite.DisposeAsync();
            throw new InvalidOperationException($"Azurite was not ready within {timeout.TotalSeconds:0} s: {Tail()}");
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        void OnOutput(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (ports)
            {
                output.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    ports[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (ports.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        }

        string Tail()
        {
            lock (ports)
            {
                var text = output.ToString();
                return text.Length > 2000 ? text[^2000..] : text;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        catch (TimeoutException)
        {
            // Killed but not reaped in time; nothing more to do.
        }

        process.Dispose();
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListeningLine();
}
