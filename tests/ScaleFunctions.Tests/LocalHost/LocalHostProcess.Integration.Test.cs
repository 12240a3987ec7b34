using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using ScaleFunctions.Configuration;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>
/// The local host as <c>npm start</c> runs it, a process of its own (scripts/start-local.sh execs exactly this
/// command, so the script's PID is the app's): SIGTERM stops it and its embedded Azurite, and a port already in use is
/// one line naming the port, not a stack trace. The embedded Azurite runs on ports of its own here
/// (<c>LocalHost:StartAzurite</c> with an explicit development connection string), not on Azurite's default ports,
/// which other work on this machine may hold.
/// </summary>
public sealed partial class LocalHostProcessIntegrationTest
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Sigterm_stops_the_app_and_the_azurite_it_started()
    {
        var (blob, queue, table) = (ClosedPort.Next(), ClosedPort.Next(), ClosedPort.Next());
        var location = Directory.CreateTempSubdirectory("localhost-azurite-").FullName;
        var settings = LocalHostServer.Settings(AzuriteProcess.ConnectionStringFor(blob, queue, table), AzuriteFixture.NewQueueName());
        settings[EmbeddedAzurite.StartSetting] = "true";
        settings[EmbeddedAzurite.LocationSetting] = location;
        settings[FunctionSwitches.DisabledSetting(FunctionSwitches.ScaleCommands).Replace('.', '_')] = "true"; // no Kubernetes here
        settings[FunctionSwitches.DisabledSetting(FunctionSwitches.RebalanceCheck).Replace('.', '_')] = "true";
        using var app = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0");
        try
        {
            var started = await app.LineAsync(StartedAzurite()).WaitAsync(Generous);
            await app.LineAsync(l => l.Contains("Application started", StringComparison.Ordinal)).WaitAsync(Generous);
            var azuritePid = int.Parse(StartedAzurite().Match(started).Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture);
            using var azurite = Process.GetProcessById(azuritePid);
            Assert.False(azurite.HasExited);

            app.Signal("TERM");
            await app.Process.WaitForExitAsync().WaitAsync(Generous);

            Assert.Equal(0, app.Process.ExitCode);
            Assert.Contains(app.Output, l => l.Contains($"Stopped Azurite (process {azuritePid})", StringComparison.Ordinal));
            Assert.True(azurite.HasExited);
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(azuritePid));
            Assert.DoesNotContain(app.Output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(location, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_port_and_what_to_do()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var settings = LocalHostServer.Settings(AzuriteProcess.ConnectionStringFor(ClosedPort.Next(), ClosedPort.Next(), ClosedPort.Next()), AzuriteFixture.NewQueueName());
        using var app = LocalHostProcess.Start(settings, "--urls", $"http://127.0.0.1:{port}");

        await app.Process.WaitForExitAsync().WaitAsync(Generous);

        Assert.Equal(1, app.Process.ExitCode);
        var line = Assert.Single(app.Errors);
        Assert.Contains($"port {port}", line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        Assert.Contains("npm start -- --urls", line, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Output.Concat(app.Errors), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public void An_azurite_port_held_by_something_else_is_named_before_anything_starts()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var tablePort = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var settings = LocalHostServer.Settings(AzuriteProcess.ConnectionStringFor(ClosedPort.Next(), ClosedPort.Next(), tablePort), AzuriteFixture.NewQueueName());
        settings[EmbeddedAzurite.StartSetting] = "true";

        var app = LocalHostApp.Build(["--urls", "http://127.0.0.1:0"], b => b.Configuration.AddInMemoryCollection(settings), useLocalSettings: false);

        var message = PortInUse.Check(app);
        Assert.NotNull(message);
        Assert.Contains($"port {tablePort} (Azurite's table service)", message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Started Azurite \(process (?<pid>\d+)\)")]
    private static partial Regex StartedAzurite();

    /// <summary>The local host's own build output run with <c>dotnet</c>, settings as environment variables.</summary>
    internal sealed class LocalHostProcess : IDisposable
    {
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> waiting = [];
        private readonly List<string> output = [];
        private readonly List<string> errors = [];
        private bool ended;

        private LocalHostProcess(Process process) => Process = process;

        public Process Process { get; }

        public IReadOnlyList<string> Output
        {
            get
            {
                lock (waiting)
                {
                    return [.. output];
                }
            }
        }

        public IReadOnlyList<string> Errors
        {
            get
            {
                lock (waiting)
                {
                    return [.. errors];
                }
            }
        }

        public static LocalHostProcess Start(IDictionary<string, string?> settings, params string[] args)
        {
            // tests/ScaleFunctions.Tests/bin/<Configuration>/<tfm>/ → src/ScaleFunctions.LocalHost/bin/<Configuration>/<tfm>/
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var dll = Path.Combine(ReferenceFiles.RepositoryRoot, "src", "ScaleFunctions.LocalHost", "bin", testOutput.Parent!.Name, testOutput.Name, "ScaleFunctions.LocalHost.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
            start.ArgumentList.Add(dll);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["Logging__Console__FormatterName"] = "simple";
            foreach (var (key, value) in settings)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            var local = new LocalHostProcess(new Process { StartInfo = start });
            local.Process.OutputDataReceived += (_, e) => local.Received(e.Data, local.output);
            local.Process.ErrorDataReceived += (_, e) => local.Received(e.Data, local.errors);
            local.Process.Start();
            local.Process.BeginOutputReadLine();
            local.Process.BeginErrorReadLine();
            return local;
        }

        /// <summary>Completes with the first output line (so far or to come) that matches.</summary>
        public Task<string> LineAsync(Func<string, bool> match)
        {
            lock (waiting)
            {
                if (output.FirstOrDefault(match) is { } seen)
                {
                    return Task.FromResult(seen);
                }

                if (ended)
                {
                    return Task.FromException<string>(NoSuchLine());
                }

                var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting.Add((match, line));
                return line.Task;
            }
        }

        public Task<string> LineAsync(Regex pattern) => LineAsync(pattern.IsMatch);

        // The output ended (the process exited): a line still awaited never comes, and the test says why at once.
        private void Ended()
        {
            lock (waiting)
            {
                ended = true;
                foreach (var (_, seen) in waiting)
                {
                    seen.TrySetException(NoSuchLine());
                }

                waiting.Clear();
            }
        }

        private InvalidOperationException NoSuchLine() =>
            new($"The local host's output ended before the awaited line; its output: {string.Join(" | ", output.TakeLast(10))}; errors: {string.Join(" | ", errors.TakeLast(10))}");

        public void Signal(string signal)
        {
            using var kill = Process.Start("kill", [$"-{signal}", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Received(string? line, List<string> into)
        {
            if (line is null)
            {
                if (into == output)
                {
                    Ended();
                }

                return;
            }

            lock (waiting)
            {
                into.Add(line);
                if (into == output)
                {
                    foreach (var w in waiting.Where(w => w.Match(line)).ToList())
                    {
                        w.Seen.TrySetResult(line);
                        waiting.Remove(w);
                    }
                }
            }
        }
    }
}
