namespace ScaleFunctions.Intake;

/// <summary>An incoming webhook POST, as every host hands it to the domain (no ASP.NET or Functions types).</summary>
public sealed record WebhookRequest(
    string? ContentType,
    long? ContentLength,
    Func<string, string?> Header,
    Func<string, string?> Query,
    Stream Body);
