using System.Globalization;
using System.Text.Json;

namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// Cruise Control's user task manager and executor, as far as a caller can see them, for
/// <see cref="CruiseControlDouble.Executions"/> (off unless a test sets it, so the scripted replies of other tests are
/// as they were). Read from Cruise Control's <c>UserTaskManager</c>/<c>UserTaskState</c>/<c>Executor</c> and
/// <c>Reference/cruise-control/openapi/responses/userTaskState.yaml</c>:
/// <list type="bullet">
/// <item>every <c>json=true</c> request without a <c>User-Task-ID</c> is a user task, listed by <c>user_tasks</c> with
/// <c>RequestURL</c> = <c>"METHOD /path?name=value&amp;…"</c> (the decoded parameters, as <c>requestWithParams</c>
/// writes them), <c>ClientIdentity</c>, <c>StartMs</c> and <c>Status</c>; filters <c>user_task_ids</c>,
/// <c>endpoints</c> and <c>types</c>; <c>originalResponse</c> with <c>fetch_completed_task=true</c> for tasks not
/// <c>Active</c> — or the real 500 when the task's response cannot be fetched (its future failed);</item>
/// <item>a non-dry-run <c>rebalance</c>, <c>add_broker</c> or <c>remove_broker</c> answered 200 starts an execution:
/// its task is <c>InExecution</c> and <c>state</c>'s executor is busy with <c>triggeredUserTaskId</c> and
/// <c>triggeredTaskReason</c> (<c>"&lt;reason&gt; (Client: …, Date: …)"</c>); another one while it runs is the real 500
/// ("Cannot start a new execution while there is an ongoing execution…");</item>
/// <item>the test ends the execution (<see cref="Finish"/>) and can drop the completed tasks, as Cruise Control does
/// after <c>completed.user.task.retention.time.ms</c> or a restart (<see cref="ForgetCompleted"/>).</item>
/// </list>
/// </summary>
public sealed class CruiseControlExecutions
{
    public const string ClientIdentity = "127.0.0.1";

    private static readonly string[] ExecutingEndpoints = ["rebalance", "add_broker", "remove_broker"];

    private readonly object gate = new();
    private readonly List<UserTaskEntry> tasks = [];
    private UserTaskEntry? running;

    /// <summary>The user task of the running execution, or null when the executor is idle.</summary>
    public string? Running
    {
        get
        {
            lock (gate)
            {
                return running?.Id;
            }
        }
    }

    /// <summary>Executions started (each non-dry-run request answered 200 while none ran).</summary>
    public IReadOnlyList<UserTaskEntry> Started
    {
        get
        {
            lock (gate)
            {
                return [.. tasks.Where(t => t.Executed)];
            }
        }
    }

    /// <summary>Ends the running execution: its task becomes <paramref name="status"/>; the executor is idle.</summary>
    public void Finish(string status = "Completed", bool responseUnavailable = false)
    {
        lock (gate)
        {
            var task = running ?? throw new InvalidOperationException("No execution is running.");
            task.Status = status;
            task.ResponseUnavailable = responseUnavailable;
            running = null;
        }
    }

    /// <summary>Drops the completed tasks (their retention passed, or Cruise Control restarted).</summary>
    public void ForgetCompleted()
    {
        lock (gate)
        {
            tasks.RemoveAll(t => t.Status is "Completed" or "CompletedWithError");
        }
    }

    /// <summary>A refusal when this request would start a second execution; null otherwise.</summary>
    internal CruiseControlReply? Refusal(string method, string endpoint, IReadOnlyDictionary<string, string> query)
    {
        lock (gate)
        {
            if (running is null || !StartsExecution(method, endpoint, query))
            {
                return null;
            }
        }

        const string Message = "Cannot start a new execution while there is an ongoing execution. Please use stop_ongoing_execution=true to stop ongoing execution and start a new one.";
        return CruiseControlReply.Json(JsonSerializer.Serialize(new
        {
            errorMessage = $"Error processing {method} request '/{endpoint}' due to: 'java.lang.IllegalStateException: {Message}'.",
            stackTrace = $"java.lang.IllegalStateException: {Message}",
            version = 1,
        }), 500);
    }

    /// <summary>Records a new user task; a final 200 to a non-dry-run execution request starts its execution.</summary>
    internal void Created(string id, string method, string path, string endpoint, IReadOnlyDictionary<string, string> query, CruiseControlReply final, bool answeredNow)
    {
        var url = $"{method} {path}" + (query.Count == 0 ? "" : "?" + string.Join('&', query.Select(q => $"{q.Key}={q.Value}")));
        var task = new UserTaskEntry(id, endpoint, url, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), query.GetValueOrDefault("reason"), final)
        {
            Status = "Active",
            Executes = StartsExecution(method, endpoint, query) && final.StatusCode == 200,
        };
        lock (gate)
        {
            tasks.Add(task);
        }

        if (answeredNow)
        {
            Answered(id);
        }
    }

    /// <summary>The task's final answer was given: a plain request is completed, an execution starts.</summary>
    internal void Answered(string id)
    {
        lock (gate)
        {
            var task = tasks.LastOrDefault(t => t.Id == id);
            if (task is null || task.Status != "Active")
            {
                return;
            }

            if (task.Final.StatusCode != 200)
            {
                task.Status = "CompletedWithError";
                task.ResponseUnavailable = true;
            }
            else if (task.Executes && running is null)
            {
                task.Status = "InExecution";
                task.Executed = true;
                running = task;
            }
            else
            {
                task.Status = "Completed";
            }
        }
    }

    /// <summary>The executor's state: <paramref name="idle"/>, or the executing fixture naming the running task.</summary>
    internal CruiseControlReply State(CruiseControlReply idle)
    {
        UserTaskEntry? task;
        lock (gate)
        {
            task = running;
        }

        if (task is null)
        {
            return idle;
        }

        var reason = $"{task.Reason ?? "No reason provided"} (Client: {ClientIdentity}, Date: {DateTimeOffset.FromUnixTimeMilliseconds(task.StartMs).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)})";
        return CruiseControlReply.StateExecuting
            .Replace("\"triggeredUserTaskId\":\"0230d401-6a36-430e-9858-fac8f2edde93\"", $"\"triggeredUserTaskId\":{JsonSerializer.Serialize(task.Id)}")
            .Replace("\"triggeredTaskReason\":\"No reason provided (Client: 172.17.0.1, Date: 2024-11-15T19:41:27Z)\"", $"\"triggeredTaskReason\":{JsonSerializer.Serialize(reason)}");
    }

    /// <summary><c>GET user_tasks</c>: the tasks that match every filter given, in the order they were created.</summary>
    internal CruiseControlReply UserTasks(IReadOnlyDictionary<string, string> query)
    {
        static HashSet<string>? Filter(IReadOnlyDictionary<string, string> query, string name) =>
            query.TryGetValue(name, out var value) && value.Length > 0 ? value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;

        var ids = Filter(query, "user_task_ids");
        var endpoints = Filter(query, "endpoints");
        var types = Filter(query, "types");
        var fetch = string.Equals(query.GetValueOrDefault("fetch_completed_task"), "true", StringComparison.OrdinalIgnoreCase);
        List<Dictionary<string, string>> listed = [];
        lock (gate)
        {
            foreach (var task in tasks.Where(t => (ids?.Contains(t.Id) ?? true) && (endpoints?.Contains(t.Endpoint) ?? true) && (types?.Contains(t.Status) ?? true)))
            {
                if (fetch && task.Status != "Active" && task.ResponseUnavailable)
                {
                    // UserTaskState.completedTaskResponse: the task's future failed, so the whole request fails.
                    var message = $"Error happened in fetching response for task {task.Id}";
                    return CruiseControlReply.Json(JsonSerializer.Serialize(new
                    {
                        errorMessage = $"Error processing GET request '/user_tasks' due to: '{message}'.",
                        stackTrace = $"java.lang.IllegalStateException: {message}",
                        version = 1,
                    }), 500);
                }

                var entry = new Dictionary<string, string>
                {
                    ["UserTaskId"] = task.Id,
                    ["RequestURL"] = task.RequestUrl,
                    ["ClientIdentity"] = ClientIdentity,
                    ["StartMs"] = task.StartMs.ToString(CultureInfo.InvariantCulture),
                    ["Status"] = task.Status,
                };
                if (fetch && task.Status != "Active")
                {
                    entry["originalResponse"] = task.Final.Text;
                }

                listed.Add(entry);
            }
        }

        return CruiseControlReply.Json(JsonSerializer.Serialize(new { userTasks = listed, version = 1 }));
    }

    private static bool StartsExecution(string method, string endpoint, IReadOnlyDictionary<string, string> query) =>
        method == "POST" && ExecutingEndpoints.Contains(endpoint) && string.Equals(query.GetValueOrDefault("dryrun"), "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>One user task: what Cruise Control lists of it, and the answer its request got.</summary>
    public sealed record UserTaskEntry(string Id, string Endpoint, string RequestUrl, long StartMs, string? Reason, CruiseControlReply Final)
    {
        public required string Status { get; set; }

        public bool Executes { get; init; }

        public bool Executed { get; set; }

        public bool ResponseUnavailable { get; set; }
    }
}
