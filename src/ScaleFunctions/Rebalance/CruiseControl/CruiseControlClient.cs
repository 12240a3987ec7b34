using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl.Models;

namespace ScaleFunctions.Rebalance.CruiseControl;

/// <summary>
/// Typed client of one cluster's Cruise Control REST API (always <c>json=true</c>). Asynchronous requests answered
/// with 202 are followed by repeating the identical request with the <c>User-Task-ID</c> header, every
/// <see cref="CruiseControlOptions.PollInterval"/>, at most <see cref="CruiseControlOptions.MaxPolls"/> times.
/// Errors surface as <see cref="CruiseControlException"/>; "not enough valid windows" as a
/// <see cref="CruiseControlOutcome.NotReady"/> result.
/// </summary>
public sealed class CruiseControlClient(
    HttpClient http,
    CruiseControlEndpoint endpoint,
    string clusterId,
    CruiseControlOptions options,
    TimeProvider time,
    ILogger logger)
{
    public const string UserTaskIdHeader = "User-Task-ID";
    private const int MaxErrorChars = 2000;

    public CruiseControlEndpoint Endpoint => endpoint;

    public Task<CruiseControlResult<CruiseControlState>> GetStateAsync(CancellationToken cancellationToken) =>
        SendAsync<CruiseControlState>(HttpMethod.Get, "state", new CruiseControlQuery().Add("substates", "executor,monitor,analyzer,anomaly_detector"), cancellationToken);

    /// <summary>The current proposals (always a dry run), for the given goals or Cruise Control's defaults.</summary>
    public Task<CruiseControlResult<OptimizationResult>> GetProposalsAsync(IReadOnlyList<string> goals, CancellationToken cancellationToken) =>
        SendAsync<OptimizationResult>(HttpMethod.Get, "proposals", new CruiseControlQuery().AddIf("goals", goals.Count > 0 ? string.Join(',', goals) : null), cancellationToken);

    public Task<CruiseControlResult<OptimizationResult>> RebalanceAsync(ExecutionParameters parameters, CancellationToken cancellationToken) =>
        SendAsync<OptimizationResult>(HttpMethod.Post, "rebalance", With(new CruiseControlQuery(), parameters), cancellationToken);

    public Task<CruiseControlResult<KafkaClusterState>> GetKafkaClusterStateAsync(CancellationToken cancellationToken) =>
        SendAsync<KafkaClusterState>(HttpMethod.Get, "kafka_cluster_state", new CruiseControlQuery(), cancellationToken);

    /// <summary>
    /// One user task, with its final response unless <paramref name="withResponse"/> is false; null when Cruise Control
    /// no longer knows it (restarted, expired). Cruise Control answers 500 for the response of a task whose request failed.
    /// </summary>
    public async Task<UserTask?> GetUserTaskAsync(string userTaskId, CancellationToken cancellationToken, bool withResponse = true)
    {
        var query = new CruiseControlQuery().Add("user_task_ids", userTaskId).Add("fetch_completed_task", withResponse);
        var result = await SendAsync<UserTaskState>(HttpMethod.Get, "user_tasks", query, cancellationToken);
        return result.Value?.UserTasks.FirstOrDefault(t => string.Equals(t.UserTaskId, userTaskId, StringComparison.Ordinal));
    }

    private static CruiseControlQuery With(CruiseControlQuery query, ExecutionParameters parameters)
    {
        parameters.AddTo(query);
        return query;
    }

    private async Task<CruiseControlResult<T>> SendAsync<T>(HttpMethod method, string name, CruiseControlQuery query, CancellationToken cancellationToken)
        where T : class
    {
        string? userTaskId = null;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, endpoint.UriFor(name, query));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (options.HasBasicAuth)
            {
                var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.BasicUsername}:{options.BasicPassword}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
            }

            if (userTaskId is not null)
            {
                request.Headers.Add(UserTaskIdHeader, userTaskId);
            }

            request.Options.Set(CruiseControlHttp.Cluster, clusterId);
            CruiseControlRetry.Mark(request, retryable: method == HttpMethod.Get || !query.StartsExecution || userTaskId is not null);

            using var response = await http.SendAsync(request, cancellationToken);
            var taskId = response.Headers.TryGetValues(UserTaskIdHeader, out var ids) ? ids.FirstOrDefault() : null;
            logger.LogDebug("Cruise Control of {Cluster}: {Method} {Endpoint} answered {StatusCode} (user task {UserTaskId}, attempt {Attempt})", clusterId, method, name, (int)response.StatusCode, taskId ?? userTaskId ?? "", attempt);

            if (response.StatusCode == HttpStatusCode.OK)
            {
                return CruiseControlResult<T>.Completed(await ReadAsync<T>(response, name, cancellationToken), taskId ?? userTaskId);
            }

            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                var error = await ReadErrorAsync(response, cancellationToken);
                if (error.Contains("NotEnoughValidWindowsException", StringComparison.Ordinal))
                {
                    return CruiseControlResult<T>.NotReady(error);
                }

                throw new CruiseControlException(name, response.StatusCode, error);
            }

            userTaskId = taskId ?? userTaskId ?? throw new CruiseControlException(name, response.StatusCode, $"a 202 without a {UserTaskIdHeader} header cannot be followed.");
            var step = (await TryReadAsync<ProgressResult>(response, cancellationToken))?.LatestStep;
            if (attempt >= options.MaxPolls)
            {
                logger.LogInformation("Cruise Control {Endpoint} still in progress after {Attempts} polls (user task {UserTaskId}, step {Step})", name, attempt, userTaskId, step ?? "");
                return CruiseControlResult<T>.Pending(userTaskId, step);
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string name, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(CruiseControlJson.Options, cancellationToken)
                ?? throw new CruiseControlException(name, response.StatusCode, "the response is empty.");
        }
        catch (JsonException ex)
        {
            throw new CruiseControlException(name, response.StatusCode, $"the response is not the expected JSON ({ex.Message}); is json=true honoured and the URL right?", ex);
        }
    }

    private static async Task<T?> TryReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(CruiseControlJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Cruise Control's <c>errorMessage</c>, a Kubernetes Status <c>message</c> (service proxy), or the start of the text.</summary>
    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var property in new[] { "errorMessage", "message" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object &&
                    document.RootElement.TryGetProperty(property, out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return Truncate(message.GetString() ?? "");
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the raw text.
        }

        return string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase ?? "no error message" : Truncate(text);
    }

    private static string Truncate(string text) => text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
}
