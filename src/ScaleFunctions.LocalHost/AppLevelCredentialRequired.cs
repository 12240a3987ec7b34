using Microsoft.Extensions.Options;
using ScaleFunctions.Intake;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// The local host has no Functions host in front of it to check function keys, so it refuses to start without an
/// app-level credential, unless <c>Auth:AllowAnonymous</c> says that is intended.
/// </summary>
public sealed class AppLevelCredentialRequired : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        options.HasAppLevelCredential || options.AllowAnonymous
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "The local host checks webhook credentials itself and none is configured: set Auth__FunctionKey " +
                "(local.settings.sample.json has one for local use), Auth__BearerToken, or Auth__BasicUsername and " +
                "Auth__BasicPassword; or Auth__AllowAnonymous=true to accept anyone (experiments only).");
}
