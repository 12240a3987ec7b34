using System.Net;
using System.Text.RegularExpressions;
using ScaleFunctions.Configuration;
using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Cruise Control's opinion of the cluster's size, from one <c>GET proposals</c> (the cluster's configured goals, Cruise Control's cached
/// proposal otherwise): the summary's <c>provisionStatus</c> and <c>provisionRecommendation</c> (Cruise Control 2.5.29
/// and later; without the field, no opinion). Cruise Control reports UNDER_PROVISIONED by failing the optimization: a
/// goal it cannot satisfy throws <c>OptimizationFailureException</c> carrying its recommendation ("Add at least …"),
/// answered as a 500; that is read as UNDER_PROVISIONED with the goal's words. Anything else that is not an answer is
/// unavailable — except the API server's 403, which is thrown.
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
