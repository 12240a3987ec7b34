using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ScaleFunctions.Testing;

/// <summary>
/// A real Alertmanager (Debian's <c>prometheus-alertmanager</c>) on 127.0.0.1 with a test's configuration: clustering
/// off (or a cluster peer, <see cref="StartPeerAsync"/>), a free port it picks itself (read from its "Listening on" log line), storage in a temporary directory.
/// Disposing stops it by process id; the directory is the caller's.
/// </summary>
public sealed partial class AlertmanagerProcess : IAsyncDisposable
{
    private readonly ServerProcess server;

    private AlertmanagerProcess(ServerProcess server, Uri baseAddress)
    {
        this.server = server;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output => server.Output;

    public static string Executable => Tools.Find("prometheus-alertmanager", "alertmanager");

    public static Task<AlertmanagerProcess> StartAsync(string configYaml, string directory) =>
        StartAsync(configYaml, directory, ["--cluster.listen-address="]);

    /// <summary>
    /// A peer of an Alertmanager cluster (HA mode) gossiping on 127.0.0.1:<paramref name="clusterPort"/> with the peers
    /// on <paramref name="peerPorts"/>. <paramref name="peerTimeout"/> is how long a peer waits per position before it
    /// sends what the peers before it have not logged as sent (Alertmanager's default is 15 s).
    /// </summary>
    public static Task<AlertmanagerProcess> StartPeerAsync(string configYaml, string directory, int clusterPort, IEnumerable<int> peerPorts, TimeSpan peerTimeout) =>
        StartAsync(configYaml, directory,
        [
            $"--cluster.listen-address=127.0.0.1:{clusterPort}", $"--cluster.advertise-address=127.0.0.1:{clusterPort}",
            $"--cluster.peer-timeout={(int)peerTimeout.TotalMilliseconds}ms", "--cluster.settle-timeout=10s",
            .. peerPorts.Select(p => $"--cluster.peer=127.0.0.1:{p}"),
        ]);

    /// <summary>The cluster as this peer sees it (<c>GET /api/v2/status</c>): its status (ready, settling, disabled) and how many peers.</summary>
    public async Task<(string Status, int Peers)> ClusterAsync()
    {
        var status = await Client.GetFromJsonAsync<JsonElement>("api/v2/status");
        var cluster = status.GetProperty("cluster");
        return (cluster.GetProperty("status").GetString() ?? "", cluster.TryGetProperty("peers", out var peers) ? peers.GetArrayLength() : 0);
    }

    private static async Task<AlertmanagerProcess> StartAsync(string configYaml, string directory, IEnumerable<string> clusterArgs)
    {
        var configFile = Path.Combine(directory, "alertmanager.yml");
        await File.WriteAllTextAsync(configFile, configYaml);
        var (server, port) = await ServerProcess.StartAsync<int>("Alertmanager", Executable,
        [
            $"--config.file={configFile}", $"--storage.path={Path.Combine(directory, "data")}",
            "--web.listen-address=127.0.0.1:0", .. clusterArgs,
        ], line => ListeningLine().Match(line) is { Success: true } match ? int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture) : null,
        TimeSpan.FromSeconds(30));
        return new AlertmanagerProcess(server, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Posts alerts to Alertmanager's API (<c>POST /api/v2/alerts</c>), as Prometheus does.</summary>
    public async Task PostAlertsAsync(IEnumerable<object> alerts)
    {
        using var response = await Client.PostAsJsonAsync("api/v2/alerts", alerts);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Silences the alerts whose labels equal every given one (<c>POST /api/v2/silences</c>) and returns the silence's
    /// id. A flush of a group whose alerts are all silenced sends nothing, so a test can let a group fill up first.
    /// </summary>
    public async Task<string> SilenceAsync(IReadOnlyDictionary<string, string> labels)
    {
        var now = DateTimeOffset.UtcNow;
        using var response = await Client.PostAsJsonAsync("api/v2/silences", new
        {
            matchers = labels.Select(l => new { name = l.Key, value = l.Value, isRegex = false, isEqual = true }),
            startsAt = now.AddMinutes(-1),
            endsAt = now.AddHours(1),
            createdBy = "tests",
            comment = "holds the group until it is complete",
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("silenceID").GetString()!;
    }

    /// <summary>Expires a silence (<c>DELETE /api/v2/silence/{id}</c>): the group's next flush sends its alerts.</summary>
    public async Task ExpireSilenceAsync(string id)
    {
        using var response = await Client.DeleteAsync($"api/v2/silence/{id}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// The labels of the unresolved alerts the dispatcher holds in its aggregation groups (<c>GET /api/v2/alerts/groups</c>,
    /// silenced ones included): what the next flush of each group would send, unlike <c>/api/v2/alerts</c>, which lists
    /// the store that the dispatcher reads from asynchronously.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> GroupedAlertsAsync()
    {
        var groups = await Client.GetFromJsonAsync<JsonElement>("api/v2/alerts/groups");
        return [.. groups.EnumerateArray()
            .SelectMany(g => g.GetProperty("alerts").EnumerateArray())
            .Select(a => (IReadOnlyDictionary<string, string>)a.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!))];
    }

    /// <summary>The sum of a counter over the series whose labels contain every given <c>name="value"</c>.</summary>
    public async Task<double> CounterAsync(string metric, params string[] labels)
    {
        var text = await Client.GetStringAsync("metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        server.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"msg=""Listening on"" address=127\.0\.0\.1:(?<port>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ListeningLine();
}
