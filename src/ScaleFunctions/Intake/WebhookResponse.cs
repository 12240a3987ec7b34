namespace ScaleFunctions.Intake;

/// <summary>What a host sends back: a status code and a JSON body (always JSON, also for errors).</summary>
public sealed record WebhookResponse(int StatusCode, string JsonBody);
