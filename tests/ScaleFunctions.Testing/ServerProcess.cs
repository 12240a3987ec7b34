using System.Diagnostics;
using System.Text;

namespace ScaleFunctions.Testing;

/// <summary>
/// A real server a test starts (Prometheus, Alertmanager): its standard output and error collected as one log, ready
/// when a line says so, a start that fails reported with that log, and disposing stops it by process id.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private ServerProcess(Process process, StringBuilder output)
    {
        this.process = process;
        this.output = output;
    }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="executable"/> and waits until <paramref name="ready"/> reads a value from one of its lines
    /// (the port it listens on, or just that it is ready). Exiting first, or not within <paramref name="timeout"/>,
    /// stops it and throws with what it printed.
    /// </summary>
    public static async Task<(ServerProcess Server, T Ready)> StartAsync<T>(
        string name, string executable, IEnumerable<string> args, Func<string, T?> ready, TimeSpan timeout)
        where T : struct
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var readied = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (ready(e.Data) is { } value)
            {
                readied.TrySetResult(value);
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => readied.TrySetException(new InvalidOperationException($"{name} exited before it was ready."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, output);
        try
        {
            return (server, await readied.Task.WaitAsync(timeout));
        }
        catch (Exception ex)
        {
            server.Dispose();
            throw new InvalidOperationException($"{name} did not start: {ex.Message}\n{server.Output}", ex);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
