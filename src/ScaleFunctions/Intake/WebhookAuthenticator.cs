using System.Text;
using Microsoft.Extensions.Options;

namespace ScaleFunctions.Intake;

/// <summary>
/// Checks a webhook request against the configured app-level credentials (<see cref="AuthOptions"/>). When none is
/// configured every request passes: in Azure the Functions host has checked the function key already, and the local
/// host refuses to start that way unless <c>Auth:AllowAnonymous</c> is set.
/// </summary>
public sealed class WebhookAuthenticator
{
    public const string FunctionKeyHeader = "x-functions-key";
    public const string FunctionKeyQuery = "code";
    private const string Realm = "scalefunctions";

    private readonly SecretDigest? bearer;
    private readonly SecretDigest? basic;
    private readonly SecretDigest? functionKey;

    public WebhookAuthenticator(IOptions<AuthOptions> options)
    {
        var o = options.Value;
        bearer = o.HasBearerToken ? new SecretDigest(o.BearerToken!) : null;
        basic = o.HasBasic ? new SecretDigest($"{o.BasicUsername}:{o.BasicPassword}") : null;
        functionKey = o.HasFunctionKey ? new SecretDigest(o.FunctionKey!) : null;
        Challenges =
        [
            .. Challenge(bearer, $"Bearer realm=\"{Realm}\""),
            .. Challenge(basic, $"Basic realm=\"{Realm}\", charset=\"UTF-8\""),
            .. Challenge(functionKey, $"FunctionKey realm=\"{Realm}\""),
        ];
    }

    /// <summary>
    /// The <c>WWW-Authenticate</c> values of a 401: one per configured credential (<c>FunctionKey</c> stands for the
    /// <c>x-functions-key</c> header or <c>code</c> query parameter). They say which kinds are accepted, never a value.
    /// </summary>
    public IReadOnlyList<string> Challenges { get; }

    public bool IsRequired => bearer is not null || basic is not null || functionKey is not null;

    public bool IsAuthorized(WebhookRequest request)
    {
        if (!IsRequired)
        {
            return true;
        }

        var authorization = request.Header("Authorization");
        // Every configured credential is checked, so the time taken does not tell which one was close.
        var bearerOk = bearer is not null && bearer.Matches(Credentials(authorization, "Bearer"));
        var basicOk = basic is not null && basic.Matches(DecodeBasic(Credentials(authorization, "Basic")));
        var keyOk = functionKey is not null &&
            (functionKey.Matches(request.Header(FunctionKeyHeader)) | functionKey.Matches(request.Query(FunctionKeyQuery)));
        return bearerOk | basicOk | keyOk;
    }

    private static string? Credentials(string? authorization, string scheme)
    {
        if (authorization is null || authorization.Length <= scheme.Length + 1 || authorization[scheme.Length] != ' ' ||
            !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return authorization[(scheme.Length + 1)..].Trim();
    }

    private static string? DecodeBasic(string? token)
    {
        if (token is null)
        {
            return null;
        }

        var buffer = new byte[(token.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(token, buffer, out var written) ? Encoding.UTF8.GetString(buffer, 0, written) : null;
    }

    private static IEnumerable<string> Challenge(SecretDigest? configured, string challenge) =>
        configured is null ? [] : [challenge];
}
