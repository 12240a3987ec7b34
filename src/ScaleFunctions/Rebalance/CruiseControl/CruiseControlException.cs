using System.Net;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Cruise Control answered with an error (its <c>errorMessage</c>, or the proxy's message), or an answer this client
/// cannot read. The message names the endpoint and status; it never contains credentials or the stack trace.
/// </summary>
public sealed class CruiseControlException(string endpoint, HttpStatusCode? statusCode, string errorMessage, Exception? inner = null)
    : Exception($"Cruise Control {endpoint} failed{(statusCode is { } code ? $" ({(int)code})" : "")}: {errorMessage}", inner)
{
    public string Endpoint { get; } = endpoint;

    public HttpStatusCode? StatusCode { get; } = statusCode;

    public string ErrorMessage { get; } = errorMessage;
}
