namespace ScaleFunctions.Intake;

/// <summary>An incoming webhook POST, as every host hands it to the domain (no ASP.NET or Functions types).</summary>
public sealed record WebhookRequest(
    string? ContentType,
    long? ContentLength,
    Func<string, string?> Header,
    Func<string, string?> Query,
    Stream Body)
{
    /// <summary>
    /// True where nothing in front of the app checked a credential (the Functions host's anonymous push route): then
    /// an app-level credential must be configured, or the request is refused with 403 before anything is read.
    /// </summary>
    public bool RequiresAppCredential { get; init; }
}
