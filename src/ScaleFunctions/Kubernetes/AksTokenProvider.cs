using System.Net.Http.Headers;
using Azure.Core;
using k8s.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// Bearer tokens for AKS with Microsoft Entra ID (<see cref="KubernetesAccessMode.AksEntraId"/>), cached and renewed
/// before they expire; a failed early renewal keeps the cached token while it is valid. Tokens never reach a log.
/// docs/executor.md#kubernetes-access.
/// </summary>
public sealed partial class AksTokenProvider(TokenCredential credential, TimeProvider time, TimeSpan refreshMargin, ILogger? logger = null) : ITokenProvider, IDisposable
{
    private static readonly TokenRequestContext Request = new([KubernetesOptions.AksScope]);

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>Read and replaced whole (Volatile), so a reader outside the gate never sees half of a token.</summary>
    private CachedToken? current;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref current) is { } fresh && time.GetUtcNow() < fresh.RenewAt)
        {
            return fresh.Header();
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            var cached = Volatile.Read(ref current);
            if (cached is not null && time.GetUtcNow() < cached.RenewAt)
            {
                return cached.Header();
            }

            try
            {
                var token = await credential.GetTokenAsync(Request, cancellationToken);
                cached = new CachedToken(token.Token, token.ExpiresOn, RenewAt(token));
                Volatile.Write(ref current, cached);
            }
            catch (Exception ex) when (cached is not null && time.GetUtcNow() < cached.ExpiresOn && !cancellationToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, ex.GetType().Name, ex.Message, cached.ExpiresOn);
            }

            return cached.Header();
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private DateTimeOffset RenewAt(AccessToken token)
    {
        var renewAt = token.ExpiresOn - refreshMargin;
        return token.RefreshOn is { } refreshOn && refreshOn < renewAt ? refreshOn : renewAt;
    }

    [LoggerMessage(1120, LogLevel.Warning, "Could not refresh the AKS token ({Error}: {Detail}); using the cached one until it expires at {ExpiresOn}")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string detail, DateTimeOffset expiresOn);

    /// <summary>One token and when to renew it; immutable, and no ToString that could print the token.</summary>
    private sealed class CachedToken(string token, DateTimeOffset expiresOn, DateTimeOffset renewAt)
    {
        public DateTimeOffset ExpiresOn { get; } = expiresOn;

        public DateTimeOffset RenewAt { get; } = renewAt;

        public AuthenticationHeaderValue Header() => new("Bearer", token);
    }
}
