namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// What a test makes the double do instead of answering normally: fail matching requests with a status (403, 429,
/// 500 …), or hold one until the test releases it (to interleave two clients deterministically, without sleeps).
/// </summary>
public sealed class ApiFaults
{
    private readonly Lock gate = new();
    private readonly List<Rule> rules = [];
    private readonly List<RequestGate> holds = [];

    /// <summary>
    /// Answers 403 Forbidden to matching requests (all, unless method or path narrow it), as the API server answers a
    /// request the RBAC policy does not allow (a Role withdrawn or edited by hand).
    /// </summary>
    public void Forbid(string? method = null, string? pathContains = null, int times = int.MaxValue) =>
        Add(new Rule(method, pathContains, times, request =>
            KubernetesStatus.Forbidden(RequestAttributes.From(request.Method, request.Path, request.Query), RbacPolicy.ShippedUser)));

    /// <summary>Answers <paramref name="code"/> with reason <paramref name="reason"/> to the next matching requests.</summary>
    public void Fail(int code, string reason, string? method = null, string? pathContains = null, int times = 1) =>
        Add(new Rule(method, pathContains, times, _ => new KubernetesStatus(code, reason, $"injected failure {code} {reason}")));

    /// <summary>Holds the next matching request until <see cref="RequestGate.Release"/>; <see cref="RequestGate.Reached"/> completes when it arrives.</summary>
    public RequestGate Hold(string method, string? pathContains = null)
    {
        var hold = new RequestGate(method, pathContains);
        lock (gate)
        {
            holds.Add(hold);
        }

        return hold;
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
            foreach (var hold in holds)
            {
                hold.Release();
            }

            holds.Clear();
        }
    }

    internal async Task<KubernetesStatus?> BeforeAsync(RecordedRequest request)
    {
        RequestGate? hold;
        lock (gate)
        {
            hold = holds.FirstOrDefault(h => Matches(h.Method, h.PathContains, request));
            if (hold is not null)
            {
                holds.Remove(hold);
            }
        }

        if (hold is not null)
        {
            await hold.WaitAsync();
        }

        lock (gate)
        {
            var rule = rules.FirstOrDefault(r => r.Remaining > 0 && Matches(r.Method, r.PathContains, request));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            return rule.Create(request);
        }
    }

    private void Add(Rule rule)
    {
        lock (gate)
        {
            rules.Add(rule);
        }
    }

    private static bool Matches(string? method, string? pathContains, RecordedRequest request) =>
        (method is null || string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase)) &&
        (pathContains is null || request.Path.Contains(pathContains, StringComparison.Ordinal));

    private sealed class Rule(string? method, string? pathContains, int times, Func<RecordedRequest, KubernetesStatus> create)
    {
        public string? Method { get; } = method;
        public string? PathContains { get; } = pathContains;
        public int Remaining { get; set; } = times;
        public Func<RecordedRequest, KubernetesStatus> Create { get; } = create;
    }
}

/// <summary>A request held by <see cref="ApiFaults.Hold"/>.</summary>
public sealed class RequestGate(string method, string? pathContains)
{
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Method { get; } = method;
    public string? PathContains { get; } = pathContains;

    /// <summary>Completes when the held request has arrived (and waits).</summary>
    public Task Reached => reached.Task;

    public void Release() => released.TrySetResult();

    internal Task WaitAsync()
    {
        reached.TrySetResult();
        return released.Task;
    }
}
