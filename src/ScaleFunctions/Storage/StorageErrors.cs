using Azure;

namespace ScaleFunctions.Storage;

/// <summary>
/// Which storage failures retrying can fix. Storage answering 4xx refuses the request itself (too large, not
/// authorized, invalid): permanent, except 408 (timeout), 409 (a queue or table being deleted) and 429 (throttled),
/// and a queue or table that is missing (created again on the next call). Anything else is transient: 5xx, no
/// answer, a timeout.
/// </summary>
public static class StorageErrors
{
    public static bool IsPermanent(Exception exception) =>
        exception is RequestFailedException { Status: >= 400 and < 500 and not (408 or 409 or 429) } failed && !IsMissingContainer(failed);

    /// <summary>The queue or table does not exist (deleted since it was created): create it again on the next call.</summary>
    public static bool IsMissingContainer(Exception exception) =>
        exception is RequestFailedException { Status: 404, ErrorCode: "QueueNotFound" or "TableNotFound" };

    /// <summary>The status and error code storage answered, for reasons and logs (never the request or its credentials).</summary>
    public static string Describe(Exception exception) => exception is RequestFailedException failed
        ? $"storage answered {failed.Status} {failed.ErrorCode}".TrimEnd()
        : exception.GetType().Name;
}
