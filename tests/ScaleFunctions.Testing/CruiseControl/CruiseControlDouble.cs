using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// A Cruise Control REST API on loopback Kestrel (127.0.0.1, free port) that answers like the real one: the fixtures in
/// <c>Reference/cruise-control/fixtures/</c> byte for byte, with the real status codes and <c>User-Task-ID</c>
/// headers, the 202 protocol (repeat the request with the task's header), plain text without <c>json=true</c>, and
/// optional basic authentication. Each endpoint answers its default until a test enqueues replies; every request is
/// recorded.
/// </summary>
public sealed class CruiseControlDouble : IAsyncDisposable
{
    public const string ApiPath = "kafkacruisecontrol";

    private static readonly string[] PostEndpoints = ["rebalance", "add_broker", "remove_broker", "stop_proposal_execution"];
    private static readonly string[] GetEndpoints = ["state", "proposals", "kafka_cluster_state", "user_tasks"];

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CruiseControlReply>> scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<CruiseControlReply>> followUpScripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CruiseControlReply> defaults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingTask> tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    private CruiseControlDouble(WebApplication app)
    {
        this.app = app;
        defaults["state"] = CruiseControlReply.StateIdle;
        defaults["proposals"] = CruiseControlReply.Proposal;
        defaults["rebalance"] = CruiseControlReply.Proposal;
        defaults["add_broker"] = CruiseControlReply.Proposal;
        defaults["remove_broker"] = CruiseControlReply.Proposal;
        defaults["user_tasks"] = CruiseControlReply.Fixture(CruiseControlFixtures.UserTasksEmpty);
        defaults["stop_proposal_execution"] = CruiseControlReply.Fixture(CruiseControlFixtures.Stop);
    }

    /// <summary>Base address of the REST API, <c>http://127.0.0.1:{port}/kafkacruisecontrol/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Root of the server (for a proxy that forwards <c>{ApiPath}/...</c>).</summary>
    public Uri ServerUri { get; private set; } = null!;

    /// <summary>When set, every request must carry this basic authentication or gets 401.</summary>
    public (string Username, string Password)? RequiredBasicAuth { get; set; }

    /// <summary>Replicas per broker in <c>kafka_cluster_state</c> (no real fixture exists; built from the OpenAPI schema).</summary>
    public IReadOnlyDictionary<int, int> ReplicaCounts { get; set; } = new Dictionary<int, int> { [0] = 43, [1] = 44, [2] = 42 };

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    public static async Task<CruiseControlDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new CruiseControlDouble(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.ServerUri = new Uri(address + "/");
        server.BaseUri = new Uri(server.ServerUri, ApiPath + "/");
        return server;
    }

    /// <summary>Answers the next requests to <paramref name="endpoint"/> with these replies, in order, then the default again.</summary>
    public void Enqueue(string endpoint, params CruiseControlReply[] replies)
    {
        var queue = scripts.GetOrAdd(endpoint, _ => new ConcurrentQueue<CruiseControlReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    /// <summary>Answers the next follow-ups (requests carrying a <c>User-Task-ID</c>) with these replies first, e.g. a proxy's 503.</summary>
    public void EnqueueFollowUp(string endpoint, params CruiseControlReply[] replies)
    {
        var queue = followUpScripts.GetOrAdd(endpoint, _ => new ConcurrentQueue<CruiseControlReply>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    /// <summary>Answers every request to <paramref name="endpoint"/> with this reply once the script is used up.</summary>
    public void SetDefault(string endpoint, CruiseControlReply reply) => defaults[endpoint] = reply;

    public IEnumerable<RecordedRequest> RequestsTo(string endpoint) => Requests.Where(r => r.Endpoint == endpoint);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var endpoint = path.StartsWith($"/{ApiPath}/", StringComparison.Ordinal) ? path[(ApiPath.Length + 2)..] : "";
        var recorded = new RecordedRequest(
            context.Request.Method,
            endpoint,
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        requests.Enqueue(recorded);

        if (RequiredBasicAuth is { } auth && recorded.Header("Authorization") != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{auth.Username}:{auth.Password}")))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"kafkacruisecontrol\"";
            await Write(context, CruiseControlReply.PlainText("Unauthorized", 401), null);
            return;
        }

        var allowed = context.Request.Method == "GET" ? GetEndpoints : context.Request.Method == "POST" ? PostEndpoints : [];
        if (!allowed.Contains(endpoint))
        {
            await Write(context, CruiseControlReply.PlainText($"Unsupported {context.Request.Method} {path}", 404), null);
            return;
        }

        if (recorded.Param("json") != "true")
        {
            // Without json=true Cruise Control answers in plain text.
            await Write(context, CruiseControlReply.PlainText("Cruise Control plain-text response", 200), null);
            return;
        }

        if (recorded.Header("User-Task-ID") is { Length: > 0 } taskId)
        {
            await FollowUpAsync(context, endpoint, taskId);
            return;
        }

        var reply = Next(endpoint);
        var id = reply.UserTaskId ?? Guid.NewGuid().ToString();
        if (reply.PendingPolls > 0)
        {
            tasks[id] = new PendingTask(endpoint, reply, reply.PendingPolls - 1);
            await Write(context, CruiseControlReply.InProgress, id);
            return;
        }

        await Write(context, reply, id);
    }

    private async Task FollowUpAsync(HttpContext context, string endpoint, string taskId)
    {
        if (followUpScripts.TryGetValue(endpoint, out var interruptions) && interruptions.TryDequeue(out var interruption))
        {
            await Write(context, interruption, null);
            return;
        }

        if (!tasks.TryGetValue(taskId, out var task) || task.Endpoint != endpoint)
        {
            await Write(context, CruiseControlReply.Json(JsonSerializer.Serialize(new { errorMessage = $"Unknown user task {taskId} for {endpoint}", stackTrace = "", version = 1 }), 500), null);
            return;
        }

        if (task.RemainingPolls > 0)
        {
            tasks[taskId] = task with { RemainingPolls = task.RemainingPolls - 1 };
            await Write(context, CruiseControlReply.InProgress, taskId);
            return;
        }

        await Write(context, task.Final, taskId);
    }

    private CruiseControlReply Next(string endpoint)
    {
        if (scripts.TryGetValue(endpoint, out var queue) && queue.TryDequeue(out var scripted))
        {
            return scripted;
        }

        return endpoint == "kafka_cluster_state" ? KafkaClusterState() : defaults[endpoint];
    }

    private CruiseControlReply KafkaClusterState()
    {
        var byBroker = ReplicaCounts.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value);
        var zeros = ReplicaCounts.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => 0);
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["KafkaPartitionState"] = new Dictionary<string, object> { ["offline"] = Array.Empty<object>(), ["with-offline-replicas"] = Array.Empty<object>(), ["urp"] = Array.Empty<object>(), ["under-min-isr"] = Array.Empty<object>() },
            ["KafkaBrokerState"] = new Dictionary<string, object>
            {
                ["IsController"] = ReplicaCounts.Keys.ToDictionary(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture), k => k == ReplicaCounts.Keys.Min()),
                ["OfflineLogDirsByBrokerId"] = ReplicaCounts.Keys.ToDictionary(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => Array.Empty<string>()),
                ["ReplicaCountByBrokerId"] = byBroker,
                ["OutOfSyncCountByBrokerId"] = zeros,
                ["OfflineReplicaCountByBrokerId"] = zeros,
                ["LeaderCountByBrokerId"] = ReplicaCounts.ToDictionary(p => p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.Value / 3),
                ["OnlineLogDirsByBrokerId"] = ReplicaCounts.Keys.ToDictionary(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => new[] { "/kafka-logs/kafka" }),
                ["BrokerSetByBrokerId"] = new Dictionary<string, string>(),
                ["Summary"] = new Dictionary<string, object> { ["Brokers"] = ReplicaCounts.Count, ["Topics"] = 3, ["Replicas"] = ReplicaCounts.Values.Sum() },
            },
            ["version"] = 1,
        });
        return CruiseControlReply.Json(json);
    }

    private static async Task Write(HttpContext context, CruiseControlReply reply, string? userTaskId)
    {
        context.Response.StatusCode = reply.StatusCode;
        context.Response.ContentType = reply.ContentType;
        if (userTaskId is not null)
        {
            context.Response.Headers["User-Task-ID"] = userTaskId;
        }

        await context.Response.Body.WriteAsync(reply.Body);
    }

    private sealed record PendingTask(string Endpoint, CruiseControlReply Final, int RemainingPolls);
}
