using System.Collections.Concurrent;
using System.Collections.Immutable;
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
/// headers, the 202 protocol (repeat the identical request with the task's header: a header with another method,
/// endpoint or query, or of a task it does not know, is the real 500), 400 for a parameter the endpoint does not
/// accept (per Cruise Control's OpenAPI description, <see cref="CruiseControlParameters"/>), plain text without
/// <c>json=true</c>, and optional basic authentication. Each endpoint answers its default until a test enqueues
/// replies; every request is recorded.
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

    /// <summary>
    /// When set, the double keeps Cruise Control's user tasks and executor (<see cref="CruiseControlExecutions"/>):
    /// <c>state</c> and <c>user_tasks</c> answer from them (unless a reply is enqueued), and a second execution is refused.
    /// </summary>
    public CruiseControlExecutions? Executions { get; set; }

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

        var json = string.Equals(recorded.Param("json"), "true", StringComparison.OrdinalIgnoreCase);
        var accepted = CruiseControlParameters.For(context.Request.Method, endpoint)
            ?? throw new InvalidOperationException($"Reference/cruise-control/openapi does not describe {context.Request.Method} {endpoint}.");
        var unknown = context.Request.Query.Keys.Where(k => !accepted.Contains(k)).ToImmutableSortedSet(StringComparer.OrdinalIgnoreCase);
        if (unknown.Count > 0)
        {
            // Cruise Control names the endpoint as its enum constant and lists the names in case-insensitive order.
            var message = $"Unrecognized endpoint parameters in {endpoint.ToUpperInvariant()} {context.Request.Method} request: [{string.Join(", ", unknown)}].";
            await Write(context, Error(message, stackTrace: "", 400, json), null);
            return;
        }

        if (!json)
        {
            // Without json=true Cruise Control answers in plain text.
            await Write(context, CruiseControlReply.PlainText("Cruise Control plain-text response", 200), null);
            return;
        }

        var request = RequestKey.Of(context.Request, endpoint);
        if (recorded.Header("User-Task-ID") is { Length: > 0 } taskId)
        {
            await FollowUpAsync(context, request, taskId);
            return;
        }

        var reply = Executions?.Refusal(context.Request.Method, endpoint, recorded.Query) ?? Next(endpoint, recorded);
        var id = reply.UserTaskId ?? Guid.NewGuid().ToString();
        // Cruise Control keeps a task (running, then completed) for the identical request carrying its header.
        tasks[id] = new PendingTask(request, reply, Math.Max(reply.PendingPolls - 1, 0));
        Executions?.Created(id, context.Request.Method, path, endpoint, recorded.Query, reply, answeredNow: reply.PendingPolls == 0);
        await Write(context, reply.PendingPolls > 0 ? CruiseControlReply.InProgress : reply, id);
    }

    private async Task FollowUpAsync(HttpContext context, RequestKey request, string taskId)
    {
        if (followUpScripts.TryGetValue(request.Endpoint, out var interruptions) && interruptions.TryDequeue(out var interruption))
        {
            await Write(context, interruption, null);
            return;
        }

        if (!tasks.TryGetValue(taskId, out var task) || !task.Request.Matches(request))
        {
            // Cruise Control finds no task for this request, then refuses a request that carries a task's header
            // (its message has the header's value and name the other way round).
            var message = $"Unexpected header {taskId} (value: User-Task-ID) in the request.";
            await Write(context, Error($"Error processing {request.Method} request '/{request.Endpoint}' due to: '{message}'.", $"java.lang.IllegalArgumentException: {message}", 500, json: true), null);
            return;
        }

        if (task.RemainingPolls > 0)
        {
            tasks[taskId] = task with { RemainingPolls = task.RemainingPolls - 1 };
            await Write(context, CruiseControlReply.InProgress, taskId);
            return;
        }

        Executions?.Answered(taskId);
        await Write(context, task.Final, taskId);
    }

    private CruiseControlReply Next(string endpoint, RecordedRequest recorded)
    {
        if (scripts.TryGetValue(endpoint, out var queue) && queue.TryDequeue(out var scripted))
        {
            return scripted;
        }

        if (Executions is { } executions && endpoint is "state" or "user_tasks")
        {
            return endpoint == "state" ? executions.State(defaults["state"]) : executions.UserTasks(recorded.Query);
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

    /// <summary>Cruise Control's error body (<c>errorResponse.yaml</c>, in the fixtures' field order), or its message as plain text.</summary>
    private static CruiseControlReply Error(string message, string stackTrace, int statusCode, bool json) => json
        ? CruiseControlReply.Json(JsonSerializer.Serialize(new { errorMessage = message, stackTrace, version = 1 }), statusCode)
        : CruiseControlReply.PlainText(message, statusCode);

    private sealed record PendingTask(RequestKey Request, CruiseControlReply Final, int RemainingPolls);

    /// <summary>What Cruise Control compares to find a request's task: method, path, and every parameter with its set of values.</summary>
    private sealed record RequestKey(string Method, string Endpoint, IReadOnlyDictionary<string, IReadOnlySet<string>> Query)
    {
        public static RequestKey Of(HttpRequest request, string endpoint) => new(
            request.Method,
            endpoint,
            request.Query.ToDictionary(q => q.Key, q => (IReadOnlySet<string>)q.Value.Select(v => v ?? "").ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal));

        public bool Matches(RequestKey other) =>
            Method == other.Method && Endpoint == other.Endpoint && Query.Count == other.Query.Count &&
            Query.All(q => other.Query.TryGetValue(q.Key, out var values) && values.SetEquals(q.Value));
    }
}
