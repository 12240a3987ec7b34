using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleFunctions.Rebalance.CruiseControl.Models;

/// <summary><c>GET user_tasks?json=true</c>: the tasks Cruise Control still remembers (an empty list after a restart).</summary>
public sealed record UserTaskState(
    [property: JsonPropertyName("userTasks")] IReadOnlyList<UserTask> UserTasks,
    [property: JsonPropertyName("version")] int Version);

/// <summary>
/// One user task. <see cref="OriginalResponse"/> is the task's final response as a JSON <em>string</em> (with
/// <c>fetch_completed_task=true</c>), or a plain word such as <c>COMPLETED_WITH_ERROR</c>.
/// </summary>
public sealed record UserTask(
    [property: JsonPropertyName("UserTaskId")] string UserTaskId,
    [property: JsonPropertyName("Status")] string Status,
    [property: JsonPropertyName("RequestURL")] string? RequestUrl = null,
    [property: JsonPropertyName("originalResponse")] string? OriginalResponse = null)
{
    public const string Active = "Active";
    public const string InExecution = "InExecution";
    public const string Completed = "Completed";
    public const string CompletedWithError = "CompletedWithError";

    public bool IsFinished => Status is Completed or CompletedWithError;

    /// <summary>The original response parsed as <typeparamref name="T"/>, or null when it is absent or not a JSON object.</summary>
    public T? ReadOriginalResponse<T>()
        where T : class
    {
        if (string.IsNullOrWhiteSpace(OriginalResponse) || !OriginalResponse.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(OriginalResponse, CruiseControlJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
