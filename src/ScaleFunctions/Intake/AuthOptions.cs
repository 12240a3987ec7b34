using Microsoft.Extensions.Options;

namespace ScaleFunctions.Intake;

/// <summary>
/// App-level webhook credentials, section <c>Auth</c>. In Azure the Functions host checks the function key before the
/// app sees a request; these are checked by the app itself. When any is set, a request must present one that matches.
/// Values are secrets: they are never logged, and validation messages never repeat them.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const int MinimumSecretLength = 16;

    /// <summary>Expected in <c>Authorization: Bearer …</c> (Alertmanager <c>http_config.authorization</c>).</summary>
    public string? BearerToken { get; set; }

    /// <summary>With <see cref="BasicPassword"/>, expected in <c>Authorization: Basic …</c> (Alertmanager <c>basic_auth</c>).</summary>
    public string? BasicUsername { get; set; }

    public string? BasicPassword { get; set; }

    /// <summary>
    /// Checked by the app in the <c>x-functions-key</c> header or the <c>code</c> query parameter, for hosts that do not
    /// check function keys themselves (the local host, self-hosting). Leave it unset in Azure, where the host does.
    /// </summary>
    public string? FunctionKey { get; set; }

    /// <summary>Lets the local host start without any app-level credential. For experiments on a laptop only.</summary>
    public bool AllowAnonymous { get; set; }

    public bool HasBearerToken => !string.IsNullOrEmpty(BearerToken);

    public bool HasBasic => !string.IsNullOrEmpty(BasicUsername) || !string.IsNullOrEmpty(BasicPassword);

    public bool HasFunctionKey => !string.IsNullOrEmpty(FunctionKey);

    public bool HasAppLevelCredential => HasBearerToken || HasBasic || HasFunctionKey;
}

/// <summary>Start-up checks of <see cref="AuthOptions"/>. Messages name the setting, never its value.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        CheckSecret(failures, "Auth:BearerToken", options.BearerToken);
        CheckSecret(failures, "Auth:FunctionKey", options.FunctionKey);
        if (options.HasBasic)
        {
            if (string.IsNullOrEmpty(options.BasicUsername) || string.IsNullOrEmpty(options.BasicPassword))
            {
                failures.Add("Auth:BasicUsername and Auth:BasicPassword must be set together.");
            }
            else if (options.BasicUsername.Contains(':', StringComparison.Ordinal) || options.BasicUsername.Any(char.IsControl))
            {
                failures.Add("Auth:BasicUsername must not contain ':' or control characters (RFC 7617).");
            }

            CheckSecret(failures, "Auth:BasicPassword", options.BasicPassword);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckSecret(List<string> failures, string setting, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.Length < AuthOptions.MinimumSecretLength)
        {
            failures.Add($"{setting} must be at least {AuthOptions.MinimumSecretLength} characters long (generate one with: openssl rand -hex 32).");
        }

        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            failures.Add($"{setting} must not contain spaces or control characters.");
        }
    }
}
