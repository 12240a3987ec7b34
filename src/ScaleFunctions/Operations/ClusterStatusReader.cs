using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Intake;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Operations;

/// <summary>
/// GET /api/clusters and /api/clusters/{namespace}/{name}: "why didn't it scale?" for each managed cluster, read from
/// what the executor reads and the health checks (docs/operate.md, "Cluster status").
/// Reads only; never a credential or a broker's configuration (other brokers' config can hold passwords).
/// </summary>
public sealed class ClusterStatusReader(
    WebhookAuthenticator authenticator,
    ManagedClusters managedClusters,
    Func<IEnumerable<IClusterAdapter>> adapters,
    Func<ScaleExecutor> executor,
    StorageAccount storage,
    IOptions<CommandQueueOptions> queueOptions,
    IOptions<ExecutorOptions> executorOptions,
    HealthCheckService healthChecks,
    TimeProvider time)
{
    /// <summary>Azure Storage's most messages per peek.</summary>
    public const int MaxPeek = 32;

    /// <summary>Pending commands shown per cluster (all are counted).</summary>
    public const int PendingShown = 5;

    public async Task<WebhookResponse> ReadAsync(WebhookRequest request, string? @namespace, string? name, CancellationToken cancellationToken)
    {
        if (!authenticator.IsAuthorized(request))
        {
            return WebhookResponses.Unauthorized(authenticator.Challenges);
        }

        IReadOnlyList<ManagedClusterOptions> selected = managedClusters.All;
        if (@namespace is not null || name is not null)
        {
            if (managedClusters.Find(@namespace ?? "", name ?? "") is not { } one)
            {
                return WebhookResponses.Error(404, $"{Excerpt.Of($"{@namespace}/{name}")} is not a managed cluster (see the Clusters setting).");
            }

            selected = [one];
        }

        var queue = await PeekAsync(cancellationToken);
        var statuses = new List<ClusterStatus>();
        foreach (var cluster in selected)
        {
            statuses.Add(await StatusAsync(cluster, queue, cancellationToken));
        }

        var body = @namespace is null && name is null
            ? JsonSerializer.Serialize(new { clusters = statuses }, WebhookPlanner.Json)
            : JsonSerializer.Serialize(statuses[0], WebhookPlanner.Json);
        return new WebhookResponse(200, body);
    }

    private async Task<ClusterStatus> StatusAsync(ManagedClusterOptions managed, QueuePeek queue, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = new ClusterStatus(managed.Namespace, managed.Name, managed.Kind.ToString(), now)
        {
            Limits = new ClusterLimits(managed.MinBrokers, managed.MaxBrokers),
        };

        ClusterReading? resource = null;
        try
        {
            // Resolved here: a Kubernetes connection that cannot even be configured is this entry's error, not a 500.
            resource = await adapters().ReadAsync(managed, cancellationToken);
            status = status with { Kubernetes = new Reachability(true, null) };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            status = status with { Kubernetes = new Reachability(false, ClusterHealthCheck.Describe(ex)) };
        }

        if (resource is not null)
        {
            status = status with
            {
                State = resource.State,
                Brokers = resource.BrokerCount,
                Limits = status.Limits with { UpScaleLimit = resource.UpScaleLimit?.Brokers, DownScaleLimit = resource.DownScaleLimit?.Brokers },
                GracefulActions = resource.Busy.Where(b => b.Code != ReasonCodes.ClusterNotRunning).Select(b => b.Reason).FirstOrDefault(),
                Guard = Guard(resource.Guard, now),
            };
        }

        return status with
        {
            Pending = await PendingAsync(managed, queue, cancellationToken),
            CruiseControl = await CruiseControlAsync(managed, cancellationToken),
        };
    }

    private GuardStatus Guard(GuardState guard, DateTimeOffset now)
    {
        var guards = new ScaleGuards(executorOptions.Value);
        var holds = Enum.GetValues<ScaleCommandKind>()
            .SelectMany(kind => guards.Holds(guard, kind).Select(hold => (kind, hold)))
            .GroupBy(h => (h.hold.Code, h.hold.Until))
            .Select(g => new HoldStatus(g.Key.Code, g.Key.Until, g.Key.Until > now, g.First().hold.Why, [.. g.Select(h => ScaleCommandNames.Of(h.kind))]))
            .OrderBy(h => h.Until)
            .ToList();
        return new GuardStatus(guard.LastScaleUp, guard.LastScaleDown, guard.LastBrokerCountChange, guard.LastAction, holds, guard.RecentCommands);
    }

    private async Task<PendingStatus> PendingAsync(ManagedClusterOptions managed, QueuePeek queue, CancellationToken cancellationToken)
    {
        if (queue.Error is { } error)
        {
            return new PendingStatus(null, 0, []) { Error = error };
        }

        var mine = queue.Commands.Where(c => c.Cluster.Namespace == managed.Namespace && c.Cluster.Name == managed.Name).ToList();
        var shown = new List<PendingCommand>();
        foreach (var command in mine.Take(PendingShown))
        {
            PlannedDecision? now = null;
            try
            {
                now = await executor().PlanAsync(command, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                now = new PlannedDecision(Decisions.DecisionOutcome.Deferred, WebhookPlanner.UnavailableCode, $"could not decide now ({ex.GetType().Name})", null);
            }

            shown.Add(new PendingCommand(
                command.IdempotencyKey, ScaleCommandNames.Of(command.Command), command.Target.ToString(), command.CreatedAt, command.ExpiresAt,
                command.Deferrals, command.AlertCount, now.Outcome.ToString(), now.ReasonCode, now.Reason));
        }

        return new PendingStatus(queue.ApproximateCount, mine.Count, shown);
    }

    private async Task<QueuePeek> PeekAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = storage.GetQueue(queueOptions.Value.Name);
            var messages = (await client.PeekMessagesAsync(MaxPeek, cancellationToken)).Value;
            var total = (await client.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            var commands = new List<ScaleCommand>();
            foreach (var message in messages)
            {
                try
                {
                    commands.Add(ScaleCommandCodec.Deserialize(message.Body.ToString()));
                }
                catch (Exception ex) when (ex is InvalidCommandException or JsonException or FormatException)
                {
                    // Not a command the executor could read either; it ends in the poison queue.
                }
            }

            return new QueuePeek(total, commands, null);
        }
        catch (Exception ex) when (StorageErrors.IsMissingContainer(ex))
        {
            return new QueuePeek(0, [], null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new QueuePeek(0, [], $"the command queue cannot be read ({StorageErrors.Describe(ex)})");
        }
    }

    private async Task<CruiseControlStatus> CruiseControlAsync(ManagedClusterOptions managed, CancellationToken cancellationToken)
    {
        if (!managed.CruiseControl.IsConfigured)
        {
            return new CruiseControlStatus(false, null, null, "Cruise Control is not configured for this cluster.", null);
        }

        var check = CruiseControlClients.NameFor(managed.Namespace, managed.Name);
        var report = await healthChecks.CheckHealthAsync(r => r.Name == check, cancellationToken);
        if (!report.Entries.TryGetValue(check, out var entry))
        {
            return new CruiseControlStatus(true, null, null, "no Cruise Control check is registered", null);
        }

        var error = entry.Data.TryGetValue("error", out var text) ? text as string : entry.Exception?.GetType().Name;
        return new CruiseControlStatus(true, entry.Status != HealthStatus.Unhealthy, entry.Status.ToString(), entry.Description, error);
    }

    private sealed record QueuePeek(int ApproximateCount, IReadOnlyList<ScaleCommand> Commands, string? Error);
}

/// <summary>One managed cluster's status; null parts could not be read (see <see cref="Kubernetes"/>).</summary>
public sealed record ClusterStatus(string Namespace, string Name, string Kind, DateTimeOffset Now)
{
    public ClusterLimits Limits { get; init; } = new(0, 0);

    public int? Brokers { get; init; }

    public string? State { get; init; }

    public string? GracefulActions { get; init; }

    public GuardStatus? Guard { get; init; }

    public PendingStatus? Pending { get; init; }

    public Reachability? Kubernetes { get; init; }

    public CruiseControlStatus? CruiseControl { get; init; }
}

/// <summary>MinBrokers/MaxBrokers (configuration) and Koperator's spec.alertManagerConfig up/downScaleLimit (the cluster).</summary>
public sealed record ClusterLimits(int MinBrokers, int MaxBrokers)
{
    public int? UpScaleLimit { get; init; }

    public int? DownScaleLimit { get; init; }
}

/// <summary>The executor's annotations and every hold they impose: code, end, whether it still holds, and the commands it holds.</summary>
public sealed record GuardStatus(
    DateTimeOffset? LastScaleUp,
    DateTimeOffset? LastScaleDown,
    DateTimeOffset? LastBrokerCountChange,
    string? LastAction,
    IReadOnlyList<HoldStatus> Holds,
    IReadOnlyList<string> RecentCommands);

public sealed record HoldStatus(string Code, DateTimeOffset Until, bool Active, string Why, IReadOnlyList<string> Holds);

/// <summary>
/// The queue's approximate total (all clusters, visible or not), the visible commands of this cluster among the first
/// <see cref="ClusterStatusReader.MaxPeek"/> peeked, and for the first few what the executor would decide now.
/// Deferred commands are invisible until their delay ends, so a peek does not show them.
/// </summary>
public sealed record PendingStatus(int? QueueApproximateCount, int Visible, IReadOnlyList<PendingCommand> Commands)
{
    public string? Error { get; init; }
}

public sealed record PendingCommand(
    string IdempotencyKey,
    string Command,
    string Target,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Deferrals,
    int AlertCount,
    string DecisionNow,
    string ReasonCode,
    string Reason);

public sealed record Reachability(bool Reachable, string? Error);

public sealed record CruiseControlStatus(bool Configured, bool? Reachable, string? Status, string? Description, string? Error);
