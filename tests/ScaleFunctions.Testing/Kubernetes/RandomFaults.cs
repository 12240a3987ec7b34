using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>A fault <see cref="RandomFaults"/> injects.</summary>
public enum InjectedFault
{
    /// <summary>500 InternalError, nothing done.</summary>
    InternalError,

    /// <summary>429 TooManyRequests with <c>Retry-After: 1</c>, nothing done (API priority and fairness).</summary>
    TooManyRequests,

    /// <summary>
    /// No answer until the client gives up. A read is not served; a write <b>is applied</b> and only its answer is lost
    /// — the worst case for "nothing twice": the client cannot tell whether its change landed.
    /// </summary>
    Timeout,

    /// <summary>409 Conflict on a write (the object changed since it was read), nothing done. Reads never get it.</summary>
    Conflict,
}

/// <summary>
/// Faults on a share of the requests, chosen by a seeded random in the order the requests arrive: for a given seed and
/// request order the same requests fail the same way. Matching narrows it to a path (by default every request).
/// Set on <see cref="KubernetesApiDouble.RandomFaults"/>; <see cref="Injected"/> counts what it did.
/// </summary>
public sealed class RandomFaults(int seed, double rate, string? pathContains = null)
{
    private static readonly InjectedFault[] ForWrites = [InjectedFault.InternalError, InjectedFault.TooManyRequests, InjectedFault.Timeout, InjectedFault.Conflict];
    private static readonly InjectedFault[] ForReads = [InjectedFault.InternalError, InjectedFault.TooManyRequests, InjectedFault.Timeout];

    private readonly Lock gate = new();
    private readonly Random random = new(seed);
    private readonly Dictionary<InjectedFault, int> injected = [];
    private int seen;

    public int Seed { get; } = seed;

    public double Rate { get; } = rate;

    /// <summary>How long a timed-out request waits for the client to give up before the double drops it anyway.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Off: requests pass untouched (the random sequence is not consumed).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Matching requests seen while enabled.</summary>
    public int Seen
    {
        get
        {
            lock (gate)
            {
                return seen;
            }
        }
    }

    public IReadOnlyDictionary<InjectedFault, int> Injected
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<InjectedFault, int>(injected);
            }
        }
    }

    public override string ToString()
    {
        var counts = Injected;
        return $"seed {Seed}, rate {Rate:P0}: {Seen} requests, " + string.Join(", ", Enum.GetValues<InjectedFault>().Select(f => $"{f} {counts.GetValueOrDefault(f)}"));
    }

    internal InjectedFault? Next(RecordedRequest request)
    {
        if (pathContains is not null && !request.Path.Contains(pathContains, StringComparison.Ordinal))
        {
            return null;
        }

        lock (gate)
        {
            if (!Enabled)
            {
                return null;
            }

            seen++;
            var roll = random.NextDouble();
            var kinds = request.IsWrite ? ForWrites : ForReads;
            var kind = kinds[random.Next(kinds.Length)];
            if (roll >= Rate)
            {
                return null;
            }

            injected[kind] = injected.GetValueOrDefault(kind) + 1;
            return kind;
        }
    }

    /// <summary>Answers <paramref name="fault"/>; <paramref name="next"/> serves the request (for a write's lost answer).</summary>
    internal async Task AnswerAsync(InjectedFault fault, HttpContext context, RequestDelegate next)
    {
        switch (fault)
        {
            case InjectedFault.InternalError:
                await CustomObjectRoutes.WriteStatusAsync(context, new KubernetesStatus(500, "InternalError", "Internal error occurred: injected failure"));
                break;
            case InjectedFault.TooManyRequests:
                context.Response.Headers.RetryAfter = "1";
                await CustomObjectRoutes.WriteStatusAsync(context, new KubernetesStatus(429, "TooManyRequests",
                    "The API server is throttling this client (injected)", new JsonObject { ["retryAfterSeconds"] = 1 }));
                break;
            case InjectedFault.Conflict:
                var path = context.Request.Path.Value ?? "";
                await CustomObjectRoutes.WriteStatusAsync(context, KubernetesStatus.Conflict("kafkaclusters.kafka.banzaicloud.io", path[(path.LastIndexOf('/') + 1)..]));
                break;
            default:
                if (context.Request.Method is "POST" or "PUT" or "PATCH" or "DELETE")
                {
                    var answer = context.Response.Body;
                    context.Response.Body = Stream.Null; // served, but the answer never leaves
                    await next(context);
                    context.Response.Body = answer;
                }

                try
                {
                    await Task.Delay(HangLimit, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up: that is the timeout.
                }

                context.Abort();
                break;
        }
    }
}
