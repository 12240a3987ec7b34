using System.Net;
using Polly;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Which failed requests the standard resilience handler may send again. A request that may start an execution
/// (<c>dryrun=false</c>, first attempt) is never retried: if it failed in flight we cannot know whether Cruise Control
/// started it, and a second copy could start a second execution. Such a failure surfaces to the caller, and the next
/// check reads Cruise Control's executor state again before deciding anything. Everything else is safe to repeat: GETs,
/// dry runs, follow-ups carrying a <c>User-Task-ID</c> (they read the same task) and <c>stop_proposal_execution</c>.
/// Only transport failures, timeouts, 408, 429, 502, 503 and 504 are retried: Cruise Control's own 500s carry an
/// <c>errorMessage</c> that a retry would not change.
/// </summary>
public static class CruiseControlRetry
{
    public static readonly HttpRequestOptionsKey<bool> Retryable = new("ScaleFunctions.CruiseControl.Retryable");

    public static void Mark(HttpRequestMessage request, bool retryable) => request.Options.Set(Retryable, retryable);

    public static bool IsRetryable(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Retryable, out var retryable) && retryable;

    public static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (!IsRetryable(request))
        {
            return false;
        }

        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException;
        }

        return outcome.Result?.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
    }
}
