namespace ScaleFunctions.Execution;

/// <summary>
/// Whether Cruise Control is moving partitions could not be read, so a broker-count change is not made blind.
/// Transient: the queue delivers the command again.
/// </summary>
public sealed class RebalanceActivityUnknownException(string message, Exception inner) : Exception(message, inner);
