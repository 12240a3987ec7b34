namespace ScaleFunctions.Commands;

/// <summary>A queue message that can never be executed (wrong schema, malformed). Permanent: never retried.</summary>
public sealed class InvalidCommandException(string message, Exception? inner = null) : Exception(message, inner);
