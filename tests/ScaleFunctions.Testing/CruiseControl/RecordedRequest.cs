namespace ScaleFunctions.Testing.CruiseControl;

/// <summary>A request the Cruise Control double received: method, endpoint (e.g. <c>rebalance</c>), query and headers.</summary>
public sealed record RecordedRequest(
    string Method,
    string Endpoint,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers)
{
    public string? Param(string name) => Query.TryGetValue(name, out var value) ? value : null;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A request that may have started an execution.</summary>
    public bool StartsExecution => Method == "POST" && Param("dryrun") == "false";

    public override string ToString() => $"{Method} {Endpoint}?{string.Join('&', Query.Select(q => $"{q.Key}={q.Value}"))}";
}
