using Microsoft.Extensions.Options;

namespace ScaleFunctions.Intake;

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
