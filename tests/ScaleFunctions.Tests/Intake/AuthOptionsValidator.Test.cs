using ScaleFunctions.Intake;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

public sealed class AuthOptionsValidatorTest
{
    [Fact]
    public void Accepts_well_formed_credentials()
    {
        var options = new AuthOptions
        {
            BearerToken = TestCredentials.BearerToken,
            BasicUsername = TestCredentials.BasicUsername,
            BasicPassword = TestCredentials.BasicPassword,
            FunctionKey = TestCredentials.FunctionKey,
        };

        Assert.True(new AuthOptionsValidator().Validate(null, options).Succeeded);
    }

    public static TheoryData<AuthOptions, string> Invalid => new()
    {
        { new AuthOptions { BearerToken = "short-secret" }, "Auth:BearerToken must be at least 16" },
        { new AuthOptions { FunctionKey = "has a space in it, long enough" }, "Auth:FunctionKey must not contain spaces" },
        { new AuthOptions { BasicUsername = "user" }, "must be set together" },
        { new AuthOptions { BasicPassword = TestCredentials.BasicPassword }, "must be set together" },
        { new AuthOptions { BasicUsername = "us:er", BasicPassword = TestCredentials.BasicPassword }, "must not contain ':'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Refuses_weak_or_incomplete_credentials_without_repeating_them(AuthOptions options, string message)
    {
        var result = new AuthOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        foreach (var secret in new[] { options.BearerToken, options.FunctionKey, options.BasicPassword }.OfType<string>())
        {
            Assert.DoesNotContain(secret, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_local_host_requires_a_credential_unless_anonymous_access_is_intended()
    {
        var validator = new AppLevelCredentialRequired();

        Assert.True(validator.Validate(null, new AuthOptions()).Failed);
        Assert.True(validator.Validate(null, new AuthOptions { AllowAnonymous = true }).Succeeded);
        Assert.True(validator.Validate(null, new AuthOptions { BearerToken = TestCredentials.BearerToken }).Succeeded);
    }
}
