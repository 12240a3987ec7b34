using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Execution;

/// <summary>
/// Executes one command message from the queue. Returns normally when the message is done with (acted, refused,
/// deferred by re-enqueueing, dropped); throws for a transient failure so the queue delivers it again.
/// </summary>
public interface IScaleCommandHandler
{
    Task HandleAsync(string messageText, QueueMessageContext context, CancellationToken cancellationToken);
}

/// <summary>What the queue says about a message being processed: its id and how often it has been dequeued.</summary>
public sealed record QueueMessageContext(string MessageId, long DequeueCount);

/// <summary>
/// host.json's <c>extensions.queues</c> as the host applies it (an app setting
/// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> overrides it): the one place the dequeue limit is set.
/// </summary>
public sealed class HostQueueOptions
{
    public const string Section = HostJson.Section + ":extensions:queues";

    /// <summary>The host's default when host.json sets none.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}

/// <summary>
/// The executor's queue entry point, called by both hosts' queue trigger: turns a message into a command for
/// <see cref="ScaleExecutor"/>, and its last failed delivery into a RetriesExhausted decision before the host moves it
/// to the poison queue (docs/executor.md#errors-and-poison-messages).
/// </summary>
public sealed partial class ScaleCommandHandler(
    ScaleExecutor executor,
    DecisionLog decisions,
    IOptions<HostQueueOptions> options,
    ILogger<ScaleCommandHandler> logger) : IScaleCommandHandler
{
    public async Task HandleAsync(string messageText, QueueMessageContext context, CancellationToken cancellationToken)
    {
        ScaleCommand command;
        try
        {
            command = ScaleCommandCodec.Deserialize(messageText);
        }
        catch (InvalidCommandException ex)
        {
            decisions.Record(new Decision(ScaleExecutor.Stage, "unknown", "unknown", [], DecisionOutcome.Refused,
                $"{ReasonCodes.InvalidCommand}: message {context.MessageId}: {ex.Message}")
            { ReasonCode = ReasonCodes.InvalidCommand });
            return;
        }

        try
        {
            await executor.ExecuteAsync(command, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var max = options.Value.MaxDequeueCount;
            var reason = $"{ex.GetType().Name}: {ex.ApiMessage()}";
            if (context.DequeueCount >= max)
            {
                decisions.Record(new Decision(ScaleExecutor.Stage, command.Cluster.ToString(), ScaleCommandNames.Of(command.Command),
                    command.Alerts.Select(a => a.Fingerprint).ToList(), DecisionOutcome.Refused,
                    $"{ReasonCodes.RetriesExhausted}: delivery {context.DequeueCount} of {max} failed ({reason}); the message moves to the poison queue")
                {
                    CommandKey = command.IdempotencyKey,
                    ReasonCode = ReasonCodes.RetriesExhausted,
                });
            }
            else
            {
                LogTransient(logger, command.Cluster.ToString(), command.IdempotencyKey, context.DequeueCount, max, reason);
            }

            throw;
        }
    }

    [LoggerMessage(1100, LogLevel.Warning, "Command {CommandKey} for {Cluster} failed on delivery {DequeueCount} of {MaxDequeueCount} ({Reason}); the queue will deliver it again")]
    private static partial void LogTransient(ILogger logger, string cluster, string commandKey, long dequeueCount, int maxDequeueCount, string reason);
}

/// <summary>
/// The executor: applies one command to its cluster exactly once, or defers, refuses or drops it, with one decision
/// log entry each time. It gathers the facts (adapter reading, Cruise Control), lets <see cref="ScaleGuards"/> decide
/// and writes the preconditioned patch; docs/executor.md describes the checks, exactly-once and the errors.
/// </summary>
public sealed partial class ScaleExecutor(
    IEnumerable<IClusterAdapter> adapters,
    IBrokerReplicaCounts replicaCounts,
    IRebalanceActivity rebalance,
    CruiseControlCapacityOpinion capacity,
    IAlertResolutions resolutions,
    ICommandQueue queue,
    ManagedClusters managedClusters,
    IOptions<ExecutorOptions> options,
    TimeProvider time,
    DecisionLog decisions,
    ILogger<ScaleExecutor> logger)
{
    public const string Stage = "executor";

    /// <summary>How many command keys this instance remembers having applied (a replay of one costs no read).</summary>
    private const int RememberedKeys = 10_000;

    private readonly BoundedKeySet applied = new(RememberedKeys);
    private readonly BoundedKeySet unconfirmed = new(RememberedKeys);

    /// <summary>
    /// Decides and applies <paramref name="command"/>. A 403 from any Kubernetes call (the KafkaCluster, the Cruise
    /// Control service proxy, CruiseControlOperations) is a Forbidden refusal naming the missing permission, never a retry.
    /// </summary>
    public async Task ExecuteAsync(ScaleCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await DecideAndApplyAsync(command, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is { } forbidden)
        {
            Record(command, ScaleDecision.Refuse(ReasonCodes.Forbidden, forbidden.ForbiddenReason($"by the executor for {ScaleCommandNames.Of(command.Command)}")));
        }
    }

    /// <summary>
    /// What <see cref="ExecuteAsync"/> would decide for <paramref name="command"/> against the cluster as it is now — the
    /// same reads (KafkaCluster, alert resolutions, Cruise Control) and the same decision — writing nothing: no
    /// Kubernetes write, no deferral enqueued, no decision logged as taken. A failure the executor would leave to the
    /// queue's retry is thrown.
    /// </summary>
    public async Task<PlannedDecision> PlanAsync(ScaleCommand command, CancellationToken cancellationToken)
    {
        Decided decided;
        try
        {
            decided = await DecideWantedAsync(command, new ReplicaCountsOnce(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is { } forbidden)
        {
            decided = new Decided(ScaleDecision.Refuse(ReasonCodes.Forbidden, forbidden.ForbiddenReason($"by the executor for {ScaleCommandNames.Of(command.Command)}")));
        }

        var final = Described(command, decided.Decision);
        return new PlannedDecision(final.Outcome, final.ReasonCode, final.Reason, decided.Patch)
        {
            DeferFor = final.Outcome == DecisionOutcome.Deferred ? final.DeferFor : null,
        };
    }

    private async Task DecideAndApplyAsync(ScaleCommand command, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var counts = new ReplicaCountsOnce();
        for (var attempt = 1; attempt <= settings.ConflictRetries; attempt++)
        {
            var decided = await DecideWantedAsync(command, counts, cancellationToken, recall: true);
            var decision = decided.Decision;
            if (decision.ReasonCode == ReasonCodes.Replay && unconfirmed.Remove(command.IdempotencyKey))
            {
                // This instance's own earlier write for the command, whose answer was lost: it did act.
                applied.Add(command.IdempotencyKey);
                Record(command, new ScaleDecision(DecisionOutcome.Acted, ReasonCodes.Applied,
                    $"applied by an earlier delivery whose write timed out or failed after the API server stored it ({decision.Reason})"));
                return;
            }

            if (decision.SendsPatch && settings.DryRun)
            {
                LogChange(command.Cluster.ToString(), decision, decided.Patch!, dryRun: true);
                Record(command, Described(command, decision));
                return;
            }

            if (decision.SendsPatch)
            {
                var managed = managedClusters.Find(command.Cluster)!;
                try
                {
                    await decided.Adapter!.WriteAsync(managed, decided.Patch!, cancellationToken);
                }
                catch (Exception ex) when (ex.IsConflict())
                {
                    LogConflict(logger, managed.Ref.ToString(), command.IdempotencyKey, attempt);
                    continue;
                }
                catch (Exception ex) when (ex.IsPermanent())
                {
                    Record(command, Permanent(ex, "writing", managed.Kind));
                    return;
                }
                catch when (decision.Outcome == DecisionOutcome.Acted)
                {
                    unconfirmed.Add(command.IdempotencyKey); // it may have landed: the next delivery finds out
                    throw;
                }

                LogChange(managed.Ref.ToString(), decision, decided.Patch!, dryRun: false);
                if (decision.Outcome == DecisionOutcome.Acted)
                {
                    applied.Add(command.IdempotencyKey);
                    unconfirmed.Remove(command.IdempotencyKey);
                    Record(command, decision);
                    return;
                }

                // The first step of a multi-step action: the step may run until DrainTimeout after the command's
                // creation (the drain's own deadline), so the command lives that long, and its alerts resolving no
                // longer cancel it.
                var continuation = command with
                {
                    Deferrals = command.Deferrals + 1,
                    Continuation = true,
                    ExpiresAt = Later(command.ExpiresAt, command.CreatedAt + settings.DrainTimeout),
                };
                await queue.EnqueueAsync(continuation, decision.DeferFor, cancellationToken);
                Record(command, Described(command, decision));
                return;
            }

            if (decision.Outcome == DecisionOutcome.Deferred)
            {
                await queue.EnqueueAsync(command with { Deferrals = command.Deferrals + 1 }, decision.DeferFor, cancellationToken);
                Record(command, Described(command, decision));
                return;
            }

            Record(command, decision);
            return;
        }

        throw new ScaleConflictException($"{command.Cluster} changed under every one of {settings.ConflictRetries} attempts; the queue will deliver the command again.");
    }

    /// <summary>
    /// The decision step plan and execute share: is the command still wanted (managed cluster, supported kind, not
    /// expired, alerts not all resolved), then one reading of the cluster resource (and Cruise Control's replica counts
    /// for a downScale without a broker id, read once per command), <see cref="ScaleGuards"/>, and the
    /// rebalance-in-progress hold. Reads only; the caller writes (or, for plan, does not).
    /// </summary>
    private async Task<Decided> DecideWantedAsync(ScaleCommand command, ReplicaCountsOnce counts, CancellationToken cancellationToken, bool recall = false)
    {
        var managed = managedClusters.Find(command.Cluster);
        if (managed is null)
        {
            return new(ScaleDecision.Refuse(ReasonCodes.ClusterNotManaged, $"{command.Cluster} is not in the Clusters configuration"));
        }

        var adapter = adapters.For(managed.Kind);
        if (adapter is null || command.Cluster.Kind != managed.Kind)
        {
            return new(ScaleDecision.Refuse(ReasonCodes.UnsupportedClusterKind, $"{command.Cluster.Kind} clusters are not supported (configured as {managed.Kind})"));
        }

        if (recall && applied.Contains(command.IdempotencyKey))
        {
            // Known here, so nothing needs reading; the cluster's annotations stay the truth for every other instance.
            return new(ScaleDecision.Ignore(ReasonCodes.Replay, $"command {command.IdempotencyKey} was already applied (its write confirmed to this instance)"));
        }

        if (time.GetUtcNow() >= command.ExpiresAt)
        {
            return new(ScaleDecision.Ignore(ReasonCodes.Expired, $"the command expired at {command.ExpiresAt:O} after {command.Deferrals} deferral(s); dropped"));
        }

        if (!command.Continuation && await resolutions.AreAllResolvedAsync(command.Cluster, command.Alerts, cancellationToken))
        {
            return new(ScaleDecision.Ignore(ReasonCodes.Cancelled, "every alert behind the command has resolved; dropped"));
        }

        ClusterReading cluster;
        try
        {
            cluster = await adapter.ReadAsync(managed, cancellationToken);
        }
        catch (Exception ex) when (ex.IsPermanent())
        {
            return new(Permanent(ex, "reading", managed.Kind));
        }

        if (command.Command == ScaleCommandKind.DownScale && command.Target.BrokerId is null && !counts.Read)
        {
            counts.Counts = await ReplicaCountsAsync(managed, cancellationToken);
            counts.Read = true;
        }

        var guards = new ScaleGuards(options.Value);
        var plan = adapter.Plan(command, cluster, counts.Counts);
        var decision = guards.Decide(command, managed, cluster, plan, time.GetUtcNow());
        if (decision.SendsPatch && ScaleGuards.ChangesBrokerCount(command.Command))
        {
            decision = await UnlessRebalancingAsync(command, managed, decision, cancellationToken);
            if (decision.SendsPatch && managed.CruiseControl.IsConfigured && managed.CruiseControl.CapacityOpinion != CapacityOpinionMode.Off)
            {
                // Read once: a conflict's re-read decides again on the same opinion. A 403 is thrown (Forbidden refusal).
                counts.Opinion ??= await capacity.GetAsync(managed, cancellationToken);
                decision = guards.SecondOpinion(command, decision, counts.Opinion, managed.CruiseControl.CapacityOpinion);
            }
        }

        return decision.SendsPatch ? new(decision, adapter, adapter.Patch(cluster, plan, decision.After)) : new(decision);
    }

    /// <summary>The decision as the executor records it: a dry run says nothing was written, a deferral says which one and when it comes back.</summary>
    private ScaleDecision Described(ScaleCommand command, ScaleDecision decision) => decision.Outcome switch
    {
        DecisionOutcome.Acted when options.Value.DryRun =>
            decision with { ReasonCode = ReasonCodes.DryRun, Reason = $"would {decision.Reason}; nothing written (Executor:DryRun)" },
        DecisionOutcome.Deferred when decision.Writes && options.Value.DryRun =>
            decision with { ReasonCode = ReasonCodes.DryRun, Reason = $"would {decision.Reason}; nothing written (Executor:DryRun)" },
        DecisionOutcome.Deferred =>
            decision with { Reason = $"{decision.Reason}; deferral {command.Deferrals + 1}, retried in {decision.DeferFor:g}" },
        _ => decision,
    };

    /// <summary>
    /// The last check before a broker-count change: while Cruise Control moves partitions the partition-count alerts are
    /// about the move, not the load, so the command waits (deferred). Not knowing is not "nothing moves": the command is
    /// thrown back to the queue.
    /// </summary>
    private async Task<ScaleDecision> UnlessRebalancingAsync(ScaleCommand command, ManagedClusterOptions managed, ScaleDecision decision, CancellationToken cancellationToken)
    {
        string? moving;
        try
        {
            moving = await rebalance.GetAsync(managed, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex.Forbidden() is { } forbidden)
        {
            return ScaleDecision.Refuse(ReasonCodes.Forbidden, forbidden.ForbiddenReason(
                $"to tell whether Cruise Control is moving partitions in {managed.Ref} before {ScaleCommandNames.Of(command.Command)}"));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RebalanceActivityUnknownException(
                $"could not tell whether Cruise Control is moving partitions in {managed.Ref}, so {ScaleCommandNames.Of(command.Command)} waits: {ex.GetType().Name}: {ex.Message}", ex);
        }

        return moving is null
            ? decision
            : ScaleDecision.Defer(ReasonCodes.RebalanceInProgress, $"Cruise Control is moving partitions: {moving}", options.Value.DeferralDelay);
    }

    private async Task<IReadOnlyDictionary<int, int>?> ReplicaCountsAsync(ManagedClusterOptions managed, CancellationToken cancellationToken)
    {
        try
        {
            return await replicaCounts.GetAsync(managed, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogReplicaCountsUnavailable(logger, managed.Ref.ToString(), ex.GetType().Name);
            return null;
        }
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static ScaleDecision Permanent(Exception ex, string doing, ClusterKind kind) => ex.StatusCode() switch
    {
        HttpStatusCode.NotFound => ScaleDecision.Refuse(ReasonCodes.ClusterNotFound, $"the API server answered 404 {doing} the {kind}: {ex.ApiMessage()}"),
        HttpStatusCode.Forbidden => ScaleDecision.Refuse(ReasonCodes.Forbidden, ex.Forbidden()!.ForbiddenReason($"for {doing} the {kind}")),
        var code => ScaleDecision.Refuse(ReasonCodes.RejectedByApiServer, $"the API server answered {(int?)code} {doing} the {kind}: {ex.ApiMessage()}"),
    };

    /// <summary>Logs the very patch that was sent (or, in a dry run, would have been).</summary>
    private void LogChange(string cluster, ScaleDecision decision, JsonNode patch, bool dryRun)
    {
        if (dryRun)
        {
            LogDryRun(logger, cluster, decision.Reason, patch.ToJsonString());
        }
        else
        {
            LogApplied(logger, cluster, decision.Reason, patch.ToJsonString());
        }
    }

    /// <summary>A decision and, when it acts, its adapter and the patch that is sent, logged and planned.</summary>
    private sealed record Decided(ScaleDecision Decision, IClusterAdapter? Adapter = null, JsonNode? Patch = null);

    /// <summary>What Cruise Control said for this command, read at most once however often a conflict makes it decide again.</summary>
    private sealed class ReplicaCountsOnce
    {
        public bool Read { get; set; }

        public IReadOnlyDictionary<int, int>? Counts { get; set; }

        public CapacityOpinion? Opinion { get; set; }
    }

    private void Record(ScaleCommand command, ScaleDecision decision) => decisions.Record(new Decision(
        Stage,
        command.Cluster.ToString(),
        ScaleCommandNames.Of(command.Command),
        command.Alerts.Select(a => a.Fingerprint).ToList(),
        decision.Outcome,
        decision.Text)
    {
        CommandKey = command.IdempotencyKey,
        ReasonCode = decision.ReasonCode,
        LatencySeconds = decision.Outcome == DecisionOutcome.Acted ? (time.GetUtcNow() - command.CreatedAt).TotalSeconds : null,
    });

    [LoggerMessage(1101, LogLevel.Information, "Changed {Cluster}: {Change}; patch {Patch}")]
    private static partial void LogApplied(ILogger logger, string cluster, string change, string patch);

    [LoggerMessage(1102, LogLevel.Information, "Dry run, nothing written to {Cluster}: would {Change}; patch {Patch}")]
    private static partial void LogDryRun(ILogger logger, string cluster, string change, string patch);

    [LoggerMessage(1103, LogLevel.Information, "Conflict writing {Cluster} for command {CommandKey} (attempt {Attempt}): reading again and deciding again")]
    private static partial void LogConflict(ILogger logger, string cluster, string commandKey, int attempt);

    [LoggerMessage(1104, LogLevel.Warning, "Cruise Control replica counts for {Cluster} unavailable ({Error}); downScale falls back to the highest broker id")]
    private static partial void LogReplicaCountsUnavailable(ILogger logger, string cluster, string error);
}

/// <summary>A bounded set of keys, oldest forgotten first; safe for concurrent use. A memory of this instance only.</summary>
internal sealed class BoundedKeySet(int capacity)
{
    private readonly Lock gate = new();
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);
    private readonly Queue<string> order = new();

    public bool Contains(string key)
    {
        lock (gate)
        {
            return keys.Contains(key);
        }
    }

    public void Add(string key)
    {
        lock (gate)
        {
            if (!keys.Add(key))
            {
                return;
            }

            order.Enqueue(key);
            while (order.Count > capacity)
            {
                keys.Remove(order.Dequeue());
            }
        }
    }

    public bool Remove(string key)
    {
        lock (gate)
        {
            return keys.Remove(key); // its place in the order goes when it comes round
        }
    }
}

/// <summary>The cluster kept changing under the executor (409 on every attempt). Transient: the queue retries.</summary>
public sealed class ScaleConflictException(string message) : Exception(message);
