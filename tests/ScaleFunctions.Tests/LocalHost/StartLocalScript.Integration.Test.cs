using System.Diagnostics;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>
/// scripts/start-local.sh (<c>npm start</c>) replaces itself with the app (<c>exec</c>), so the PID a user or a
/// supervisor signals is the app's, which stops gracefully and takes its Azurite with it
/// (<see cref="LocalHostProcessIntegrationTest"/>). Run in a scratch copy of the repository layout with a stand-in
/// <c>dotnet</c> that reports its PID and arguments, so nothing is built or started.
/// </summary>
public sealed class StartLocalScriptIntegrationTest
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_script_execs_the_built_app_so_its_pid_is_the_apps_and_passes_extra_arguments_on()
    {
        var root = Directory.CreateTempSubdirectory("start-local-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            File.Copy(ReferenceFiles.InRepository(Path.Combine("scripts", "start-local.sh")), Path.Combine(root, "scripts", "start-local.sh"));
            Executable(Path.Combine(root, "node_modules", ".bin", "azurite"), "#!/bin/sh\nexit 0\n");
            Directory.CreateDirectory(Path.Combine(root, "src", "ScaleFunctions.App"));
            File.WriteAllText(Path.Combine(root, "src", "ScaleFunctions.App", "local.settings.json"), "{}");
            var bin = Path.Combine(root, "stand-in");
            Executable(Path.Combine(bin, "dotnet"), "#!/bin/sh\n[ \"$1\" = build ] && exit 0\necho \"pid=$$ args=$*\"\n");

            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { Path.Combine(root, "scripts", "start-local.sh"), "--urls", "http://127.0.0.1:7072" })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            using var script = Process.Start(start)!;
            var output = await script.StandardOutput.ReadToEndAsync();
            var errors = await script.StandardError.ReadToEndAsync();
            await script.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(script.ExitCode == 0, errors);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("pid=", StringComparison.Ordinal));
            Assert.StartsWith($"pid={script.Id} ", line, StringComparison.Ordinal);
            Assert.EndsWith(
                "args=src/ScaleFunctions.LocalHost/bin/Debug/net10.0/ScaleFunctions.LocalHost.dll --urls http://127.0.0.1:7071 --urls http://127.0.0.1:7072",
                line,
                StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Npm_start_execs_the_script_so_npms_child_is_the_app()
    {
        // npm runs scripts with `sh -c`; Debian's dash keeps itself as the app's parent unless told to exec, and on
        // SIGTERM it dies without passing the signal on, leaving the app and Azurite running.
        using var package = System.Text.Json.JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("package.json")));

        Assert.Equal("exec bash scripts/start-local.sh", package.RootElement.GetProperty("scripts").GetProperty("start").GetString());
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Executable(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
