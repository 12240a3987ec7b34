namespace ScaleFunctions.Execution;

/// <summary>What the queue says about a message being processed: its id and how often it has been dequeued.</summary>
public sealed record QueueMessageContext(string MessageId, long DequeueCount);
