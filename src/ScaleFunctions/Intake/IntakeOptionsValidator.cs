using Microsoft.Extensions.Options;

namespace ScaleFunctions.Intake;

/// <summary>Start-up checks of <see cref="IntakeOptions"/> that attributes cannot express.</summary>
public sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
{
    public ValidateOptionsResult Validate(string? name, IntakeOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedImagePrefixes.Count; i++)
        {
            var prefix = options.AllowedImagePrefixes[i];
            if (string.IsNullOrWhiteSpace(prefix) || prefix.Any(char.IsWhiteSpace) || prefix[^1] is not ('/' or ':' or '@'))
            {
                failures.Add($"Intake:AllowedImagePrefixes:{i} must be non-empty, without spaces, and end with '/', ':' or '@' (for example 'ghcr.io/adobe/koperator/kafka:').");
            }
        }

        if (string.Equals(options.ClusterLabel, options.NamespaceLabel, StringComparison.Ordinal))
        {
            failures.Add("Intake:ClusterLabel and Intake:NamespaceLabel must differ.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
