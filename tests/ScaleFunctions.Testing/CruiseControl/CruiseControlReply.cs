using System.Text;
using System.Text.Json;

namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>
/// One scripted answer of the Cruise Control double: status, body (a fixture, byte for byte, unless derived on purpose)
/// and the <c>User-Task-ID</c> header. With <see cref="PendingPolls"/> &gt; 0 the double first answers 202 with the
/// real progress body that many times, then this reply, to requests that repeat the task's <c>User-Task-ID</c>.
/// </summary>
public sealed record CruiseControlReply(int StatusCode, byte[] Body, string ContentType = "application/json")
{
    public string? UserTaskId { get; init; }

    public int PendingPolls { get; init; }

    public string Text => Encoding.UTF8.GetString(Body);

    public static CruiseControlReply Fixture(string fixture, int statusCode = 200) => new(statusCode, CruiseControlFixtures.Read(fixture));

    public static CruiseControlReply Json(string json, int statusCode = 200) => new(statusCode, Encoding.UTF8.GetBytes(json));

    public static CruiseControlReply PlainText(string text, int statusCode) => new(statusCode, Encoding.UTF8.GetBytes(text), "text/plain");

    public static CruiseControlReply StateIdle => Fixture(CruiseControlFixtures.StateIdle);

    public static CruiseControlReply StateExecuting => Fixture(CruiseControlFixtures.StateExecuting);

    public static CruiseControlReply StateProposalNotReady => Fixture(CruiseControlFixtures.StateProposalNotReady);

    /// <summary>The idle state with the load monitor in another state (no fixture has one; derived from the idle one).</summary>
    public static CruiseControlReply StateMonitor(string monitorState) =>
        StateIdle.Replace("\"state\":\"RUNNING\"", $"\"state\":\"{monitorState}\"");

    /// <summary>The real dry-run proposal: 31 replica and 12 leadership moves, DiskUsageDistributionGoal FIXED, balancedness 79.7 → 84.1.</summary>
    public static CruiseControlReply Proposal => Fixture(CruiseControlFixtures.Rebalance);

    /// <summary>The real proposal with every move count zeroed (and the score unchanged): a proposal that moves nothing.</summary>
    public static CruiseControlReply ProposalMovingNothing => Proposal
        .Replace("\"numReplicaMovements\":31", "\"numReplicaMovements\":0")
        .Replace("\"numLeaderMovements\":12", "\"numLeaderMovements\":0")
        .Replace("\"onDemandBalancednessScoreAfter\":84.08179174145127", "\"onDemandBalancednessScoreAfter\":79.74705957325753");

    /// <summary>The real proposal with no goal FIXED: its only reason left is the balancedness gain (79.75 → 84.08, +4.33).</summary>
    public static CruiseControlReply ProposalWithoutFixedGoals => Proposal.Replace("\"FIXED\"", "\"NO-ACTION\"");

    /// <summary>
    /// A newer Cruise Control's real proposal (the Strimzi topic operator's fixture: <c>provisionStatus</c> RIGHT_SIZED,
    /// empty <c>provisionRecommendation</c>) with another status and recommendation, as Cruise Control writes them:
    /// <c>[Goal] Remove at least 1 broker.</c> (<see cref="CruiseControlResponseSchema"/> checks the summary).
    /// </summary>
    public static CruiseControlReply ProposalWithProvision(string status, string recommendation = "") =>
        Fixture(CruiseControlFixtures.NewerOptimizationResult)
            .Replace("\"provisionStatus\": \"RIGHT_SIZED\"", $"\"provisionStatus\": {JsonSerializer.Serialize(status)}")
            .Replace("\"provisionRecommendation\": \"\"", $"\"provisionRecommendation\": {JsonSerializer.Serialize(recommendation)}");

    /// <summary>
    /// How Cruise Control answers proposals for an under-provisioned cluster: a hard goal it cannot satisfy fails the
    /// optimization with its recommendation (OptimizationFailureException), a 500 with the servlet's error body. No
    /// fixture exists; built from errorResponse.yaml, KafkaCruiseControlServletUtils.handleException's message and the
    /// exception's text (goal message + ProvisionRecommendation), in the fixtures' field order.
    /// </summary>
    public static CruiseControlReply UnderProvisionedFailure(string endpoint = "proposals", string method = "GET")
    {
        const string Failure = "com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: [DiskCapacityGoal] Insufficient capacity for disk " +
            "(Utilization 2452.65, Allowed Capacity 2400.00, Threshold: 0.80). Add at least 1 broker with the same disk capacity (1000.00) as broker-0.";
        return Json(JsonSerializer.Serialize(new
        {
            errorMessage = $"Error processing {method} request '/{endpoint}' due to: '{Failure}'.",
            stackTrace = $"java.util.concurrent.ExecutionException: {Failure}\n\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:395)",
            version = 1,
        }), 500);
    }

    public static CruiseControlReply NotEnoughValidWindows => Fixture(CruiseControlFixtures.NotEnoughValidWindows, 500);

    public static CruiseControlReply BadGoals => Fixture(CruiseControlFixtures.BadGoals, 500);

    public static CruiseControlReply InProgress => Fixture(CruiseControlFixtures.RebalanceInProgress, 202);

    /// <summary>A derived reply: the body with one literal replaced (throws when the literal is absent, so fixtures cannot drift silently).</summary>
    public CruiseControlReply Replace(string literal, string replacement)
    {
        var text = Text;
        if (!text.Contains(literal, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The reply does not contain {literal}.");
        }

        return this with { Body = Encoding.UTF8.GetBytes(text.Replace(literal, replacement, StringComparison.Ordinal)) };
    }
}
