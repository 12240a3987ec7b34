using System.Text;
using Microsoft.Extensions.Options;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class WebhookAuthenticatorTest
{
    private static WebhookAuthenticator Authenticator(AuthOptions options) => new(Options.Create(options));

    private static AuthOptions All => new()
    {
        BearerToken = TestCredentials.BearerToken,
        BasicUsername = TestCredentials.BasicUsername,
        BasicPassword = TestCredentials.BasicPassword,
        FunctionKey = TestCredentials.FunctionKey,
    };

    private static bool Check(AuthOptions options, Dictionary<string, string>? headers = null, Dictionary<string, string>? query = null)
    {
        var request = new ScaleFunctions.Intake.WebhookRequest(
            "application/json", 0, name => headers?.GetValueOrDefault(name), name => query?.GetValueOrDefault(name), Stream.Null);
        return Authenticator(options).IsAuthorized(request);
    }

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public void Lets_every_request_through_when_no_app_level_credential_is_configured()
    {
        Assert.True(Check(new AuthOptions()));
        Assert.False(Authenticator(new AuthOptions()).IsRequired);
    }

    public static TheoryData<string, bool> AuthorizationHeaders => new()
    {
        { $"Bearer {TestCredentials.BearerToken}", true },
        { $"bearer {TestCredentials.BearerToken}", true },
        { $"Bearer {TestCredentials.BearerToken}x", false },
        { $"Bearer {TestCredentials.BearerToken[..^1]}", false },
        { $"Bearer{TestCredentials.BearerToken}", false },
        { "Bearer ", false },
        { TestCredentials.BearerToken, false },
        { Basic(TestCredentials.BasicUsername, TestCredentials.BasicPassword), true },
        { Basic(TestCredentials.BasicUsername, TestCredentials.BasicPassword + "x"), false },
        { Basic("someone", TestCredentials.BasicPassword), false },
        { Basic(TestCredentials.BasicUsername + ":" + TestCredentials.BasicPassword, ""), false },
        { "Basic not-base64!!", false },
        { "Basic ", false },
        { $"Basic {TestCredentials.BearerToken}", false },
        { $"Digest {TestCredentials.BearerToken}", false },
    };

    [Theory]
    [MemberData(nameof(AuthorizationHeaders))]
    public void Checks_bearer_and_basic_credentials(string authorization, bool expected)
    {
        Assert.Equal(expected, Check(All, headers: new() { ["Authorization"] = authorization }));
    }

    [Fact]
    public void Checks_the_function_key_in_the_header_or_the_code_parameter()
    {
        Assert.True(Check(All, headers: new() { ["x-functions-key"] = TestCredentials.FunctionKey }));
        Assert.True(Check(All, query: new() { ["code"] = TestCredentials.FunctionKey }));
        Assert.False(Check(All, headers: new() { ["x-functions-key"] = TestCredentials.BearerToken }));
        Assert.False(Check(All, query: new() { ["code"] = "" }));
    }

    [Fact]
    public void Refuses_requests_without_credentials_when_some_are_configured()
    {
        Assert.False(Check(All));
        Assert.False(Check(new AuthOptions { FunctionKey = TestCredentials.FunctionKey }, headers: new() { ["Authorization"] = $"Bearer {TestCredentials.FunctionKey}" }));
        Assert.False(Check(new AuthOptions { BearerToken = TestCredentials.BearerToken }, headers: new() { ["x-functions-key"] = TestCredentials.BearerToken }));
    }

    [Fact]
    public void Challenges_name_the_configured_schemes_and_no_secret()
    {
        var challenges = Authenticator(All).Challenges;

        Assert.Equal(["Bearer", "Basic", "FunctionKey"], challenges.Select(c => c.Split(' ')[0]));
        Assert.All(challenges, c => Assert.DoesNotContain("test-", c, StringComparison.Ordinal));
        Assert.Equal(["Bearer"], Authenticator(new AuthOptions { BearerToken = TestCredentials.BearerToken }).Challenges.Select(c => c.Split(' ')[0]));
    }

    [Fact]
    public void Secret_digest_matches_only_the_same_secret()
    {
        var secret = new SecretDigest(TestCredentials.BearerToken);

        Assert.True(secret.Matches(TestCredentials.BearerToken));
        Assert.False(secret.Matches(TestCredentials.BearerToken.ToUpperInvariant()));
        Assert.False(secret.Matches(TestCredentials.BearerToken + TestCredentials.BearerToken));
        Assert.False(secret.Matches(""));
        Assert.False(secret.Matches(null));
    }
}
