using System.Net;
using System.Text.RegularExpressions;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Asks Cruise Control, with one <c>GET proposals</c>, whether the cluster is under- or over-provisioned. A goal it cannot
/// satisfy comes back as a 500 carrying its recommendation and is read as UNDER_PROVISIONED; the API server's 403 is
/// thrown, never read as "no opinion" (docs/executor.md, "A second opinion before removing a broker").
/// </summary>
public sealed partial class CruiseControlCapacityOpinion(CruiseControlClients clients)
{
    public async Task<CapacityOpinion> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        try
        {
            var result = await clients.For(cluster).GetProposalsAsync(cluster.CruiseControl.GoalList, cancellationToken);
            return result.Outcome switch
            {
                CruiseControlOutcome.Completed when result.Value!.Summary?.ProvisionStatus is { Length: > 0 } status =>
                    CapacityOpinion.Reported(status, result.Value.Summary.ProvisionRecommendation),
                CruiseControlOutcome.Completed => CapacityOpinion.NotReported,
                CruiseControlOutcome.NotReady => CapacityOpinion.Unavailable($"Cruise Control has not collected enough metric windows yet: {result.Detail}"),
                _ => CapacityOpinion.Unavailable($"proposals still being computed (user task {result.UserTaskId}, {result.Detail ?? "no step"})"),
            };
        }
        catch (CruiseControlException ex) when (ex.StatusCode == HttpStatusCode.InternalServerError && UnderProvisioned(ex.ErrorMessage) is { } failure)
        {
            return CapacityOpinion.Reported(CapacityOpinion.UnderProvisioned, failure);
        }
        catch (Exception ex) when ((ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && ex.Forbidden() is null)
        {
            return CapacityOpinion.Unavailable($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>The failed goal's message and recommendation when the error is an optimization failure with an "Add at least" recommendation.</summary>
    public static string? UnderProvisioned(string errorMessage)
    {
        var match = OptimizationFailure().Match(errorMessage);
        return match.Success && match.Groups["failure"].Value.Contains(" Add at least ", StringComparison.Ordinal)
            ? match.Groups["failure"].Value.Trim()
            : null;
    }

    // "... due to: 'com.linkedin.kafka.cruisecontrol.exception.OptimizationFailureException: [Goal] what. Add at least 1 broker ... || Tips: ...'."
    [GeneratedRegex(@"OptimizationFailureException: (?<failure>.+?)(?: \|\| Tips:|'\.?\s*$|$)", RegexOptions.Singleline)]
    private static partial Regex OptimizationFailure();
}
