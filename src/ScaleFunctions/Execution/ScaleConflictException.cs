namespace ScaleFunctions.Execution;

/// <summary>The cluster kept changing under the executor (409 on every attempt). Transient: the queue retries.</summary>
public sealed class ScaleConflictException(string message) : Exception(message);
