namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>A request the double received, as tests assert on it (method, path, query, headers, body).</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    string? ContentType)
{
    /// <summary>The bearer token of the <c>Authorization</c> header, or null.</summary>
    public string? BearerToken =>
        Headers.TryGetValue("Authorization", out var value) && value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : null;

    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public override string ToString() => $"{Method} {Path}{Query}";
}
