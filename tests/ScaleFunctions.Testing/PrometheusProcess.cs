using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace ScaleFunctions.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on 127.0.0.1 with a test's configuration and rules: a free port
/// (taken from the OS, then handed to Prometheus, which cannot report a port it picked itself; a start that loses the
/// port to another process is retried on a new one), its own TSDB in a temporary directory. Ready when it logs
/// "Server is ready to receive web requests." Disposing stops it by process id.
/// </summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private const string ReadyLine = "Server is ready to receive web requests.";
    private readonly ServerProcess server;

    private PrometheusProcess(ServerProcess server, Uri baseAddress)
    {
        this.server = server;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output => server.Output;

    public static string Executable => Tools.Find("prometheus");

    /// <summary>Starts Prometheus with <paramref name="configYaml"/> and the named rule files, all written to <paramref name="directory"/>.</summary>
    public static async Task<PrometheusProcess> StartAsync(string configYaml, IReadOnlyDictionary<string, string> ruleFiles, string directory)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), configYaml);
        foreach (var (name, text) in ruleFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), text);
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await StartOnceAsync(directory, ClosedPort.Next());
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                last = ex;
            }
        }

        throw last!;
    }

    /// <summary>The alerts Prometheus holds (<c>GET /api/v1/alerts</c>): pending and firing, with their labels and activeAt.</summary>
    public async Task<IReadOnlyList<PrometheusAlert>> AlertsAsync()
    {
        var body = await Client.GetFromJsonAsync<JsonElement>("api/v1/alerts");
        return [.. body.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => new PrometheusAlert(
            a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            a.GetProperty("annotations").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            a.GetProperty("state").GetString()!,
            DateTimeOffset.Parse(a.GetProperty("activeAt").GetString()!, CultureInfo.InvariantCulture)))];
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        server.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<PrometheusProcess> StartOnceAsync(string directory, int port)
    {
        var (server, _) = await ServerProcess.StartAsync<bool>("Prometheus", Executable,
        [
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, $"data-{port}")}",
            $"--web.listen-address=127.0.0.1:{port}",
            // Time-compressed rules: a firing alert is re-sent to Alertmanager every second, not every minute.
            "--rules.alert.resend-delay=1s",
        ], line => line.Contains(ReadyLine, StringComparison.Ordinal) ? true : null, TimeSpan.FromSeconds(60));
        return new PrometheusProcess(server, new Uri($"http://127.0.0.1:{port}/"));
    }
}

/// <summary>One alert as Prometheus reports it: labels, annotations, <c>pending</c> or <c>firing</c>, and since when.</summary>
public sealed record PrometheusAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations, string State, DateTimeOffset ActiveAt)
{
    public string Name => Labels["alertname"];
}
