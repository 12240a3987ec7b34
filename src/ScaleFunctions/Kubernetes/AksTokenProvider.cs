using System.Net.Http.Headers;
using Azure.Core;
using k8s.Authentication;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// Bearer tokens for AKS with Microsoft Entra ID: taken from an Azure.Identity <see cref="TokenCredential"/> for the
/// AKS server application's scope, cached, and replaced <c>refreshMargin</c> before they expire (or at the credential's
/// own <c>RefreshOn</c> when that is earlier). Tokens never reach a log.
/// </summary>
public sealed class AksTokenProvider(TokenCredential credential, TimeProvider time, TimeSpan refreshMargin) : ITokenProvider, IDisposable
{
    private static readonly TokenRequestContext Request = new([KubernetesOptions.AksScope]);

    private readonly SemaphoreSlim gate = new(1, 1);
    private AccessToken? current;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (Fresh(current) is { } token)
        {
            return new AuthenticationHeaderValue("Bearer", token.Token);
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(current) is not { } cached)
            {
                cached = await credential.GetTokenAsync(Request, cancellationToken);
                current = cached;
            }

            return new AuthenticationHeaderValue("Bearer", cached.Token);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private AccessToken? Fresh(AccessToken? token)
    {
        if (token is not { } value)
        {
            return null;
        }

        var renewAt = value.ExpiresOn - refreshMargin;
        if (value.RefreshOn is { } refreshOn && refreshOn < renewAt)
        {
            renewAt = refreshOn;
        }

        return time.GetUtcNow() < renewAt ? value : null;
    }
}
