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
