namespace ScaleFunctions.Testing;

/// <summary>Credentials used by tests only (long enough to pass the start-up checks).</summary>
public static class TestCredentials
{
    public const string FunctionKey = "test-function-key-0123456789abcdef";
    public const string BearerToken = "test-bearer-token-0123456789abcdef";
    public const string BasicUsername = "alertmanager";
    public const string BasicPassword = "test-basic-password-0123456789abcdef";
}
