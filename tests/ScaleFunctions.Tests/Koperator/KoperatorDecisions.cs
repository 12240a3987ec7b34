using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Koperator;

namespace ScaleFunctions.Tests.Koperator;

/// <summary>Decides one command on one KafkaCluster as the executor does (adapter plan, then the guards), with no I/O.</summary>
internal static class KoperatorDecisions
{
    public static KoperatorDecision Decide(
        ExecutorOptions options, ScaleCommand command, ManagedClusterOptions managed, KafkaClusterResource resource, DateTimeOffset now,
        IReadOnlyDictionary<int, int>? replicaCounts = null)
    {
        var adapter = new KoperatorAdapter(null!, Options.Create(options));
        var reading = KoperatorAdapter.Read(resource);
        var plan = adapter.Plan(command, reading, replicaCounts);
        var decision = new ScaleGuards(options).Decide(command, managed, reading, plan, now);
        return decision.Outcome == DecisionOutcome.Acted
            ? new KoperatorDecision(decision, adapter.Patch(reading, plan, decision.After!).AsArray(), KoperatorAdapter.Result(plan, decision.After!))
            : new KoperatorDecision(decision, null, null);
    }

    /// <summary>The sample cluster with the executor's annotations for <paramref name="guard"/>.</summary>
    public static KafkaClusterResource WithGuard(KafkaClusterResource cluster, GuardState guard)
    {
        foreach (var (name, value) in guard.ToAnnotations())
        {
            cluster.SetAnnotation(name, value);
        }

        return cluster;
    }
}

/// <summary>A decision and, when it acts, the patch sent and the KafkaCluster it leaves.</summary>
internal sealed record KoperatorDecision(ScaleDecision Decision, JsonArray? Patch, KafkaClusterResource? Result)
{
    public DecisionOutcome Outcome => Decision.Outcome;

    public string ReasonCode => Decision.ReasonCode;

    public string Reason => Decision.Reason;

    public TimeSpan DeferFor => Decision.DeferFor;
}
