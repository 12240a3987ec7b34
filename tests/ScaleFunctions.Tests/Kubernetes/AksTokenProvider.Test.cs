using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleFunctions.Kubernetes;
using ScaleFunctions.Testing.Logging;

namespace ScaleFunctions.Tests.Kubernetes;

public sealed class AksTokenProviderTest
{
    [Fact]
    public async Task Caches_the_token_and_takes_a_new_one_the_margin_before_it_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1));
        using var provider = new AksTokenProvider(credential, time, TimeSpan.FromMinutes(5));

        var first = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(54));
        var cached = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var refreshed = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);

        Assert.Equal("Bearer", first.Scheme);
        Assert.Equal("token-1", first.Parameter);
        Assert.Equal("token-1", cached.Parameter);
        Assert.Equal("token-2", refreshed.Parameter);
        Assert.Equal([KubernetesOptions.AksScope], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Refreshes_at_the_credentials_own_refresh_time_when_that_is_earlier()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1), refreshAfter: TimeSpan.FromMinutes(30));
        using var provider = new AksTokenProvider(credential, time, TimeSpan.FromMinutes(5));

        await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal("token-2", (await provider.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_request()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1));
        using var provider = new AksTokenProvider(credential, time, TimeSpan.FromMinutes(5));

        var headers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => provider.GetAuthenticationHeaderAsync(CancellationToken.None)));

        Assert.All(headers, h => Assert.Equal("token-1", h.Parameter));
        Assert.Equal(1, credential.Calls);
    }

    [Fact]
    public async Task A_failed_early_refresh_keeps_the_cached_token_until_it_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1));
        var logs = new LogRecorder();
        using var provider = new AksTokenProvider(credential, time, TimeSpan.FromMinutes(5), logs.CreateLogger("aks"));
        await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        credential.Failure = new AuthenticationFailedException("ManagedIdentityCredential authentication failed: IMDS unavailable");

        time.Advance(TimeSpan.FromMinutes(56));
        var withinMargin = await provider.GetAuthenticationHeaderAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(4));
        await Assert.ThrowsAsync<AuthenticationFailedException>(() => provider.GetAuthenticationHeaderAsync(CancellationToken.None));

        Assert.Equal("token-1", withinMargin.Parameter);
        Assert.Equal(3, credential.Calls);
        var warning = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("IMDS unavailable", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_cached_token_a_failure_is_thrown()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 15, 10, 0, 0, TimeSpan.Zero));
        var credential = new FakeTokenCredential(time, TimeSpan.FromHours(1)) { Failure = new AuthenticationFailedException("no identity") };
        using var provider = new AksTokenProvider(credential, time, TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => provider.GetAuthenticationHeaderAsync(CancellationToken.None));
    }
}

/// <summary>A TokenCredential that hands out token-1, token-2, … valid for a fixed time from the fake clock, or fails when told to.</summary>
public sealed class FakeTokenCredential(TimeProvider time, TimeSpan lifetime, TimeSpan? refreshAfter = null) : TokenCredential
{
    private int calls;

    public int Calls => calls;

    /// <summary>When set, every request fails with this (and still counts as a call).</summary>
    public Exception? Failure { get; set; }

    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref calls);
        lock (Scopes)
        {
            Scopes.AddRange(requestContext.Scopes);
        }

        if (Failure is { } failure)
        {
            return ValueTask.FromException<AccessToken>(failure);
        }

        var now = time.GetUtcNow();
        return ValueTask.FromResult(new AccessToken($"token-{n}", now + lifetime, refreshAfter is { } r ? now + r : null, "Bearer"));
    }
}
