namespace ScaleFunctions.Intake;

/// <summary>What a host sends back: a status code, a JSON body (always JSON, also for errors) and extra headers.</summary>
public sealed record WebhookResponse(int StatusCode, string JsonBody)
{
    /// <summary>Response headers beyond Content-Type, for example <c>WWW-Authenticate</c> on a 401.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
