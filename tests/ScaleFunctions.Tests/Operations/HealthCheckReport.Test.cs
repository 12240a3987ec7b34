using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ScaleFunctions.Operations;

namespace ScaleFunctions.Tests.Operations;

public sealed class HealthCheckReportTest
{
    private const string Secret = "s3cr3t-token-value";

    private static async Task<(int Status, JsonElement Body, string Json)> CheckAsync(Action<IHealthChecksBuilder> register)
    {
        var services = new ServiceCollection().AddLogging();
        register(services.AddHealthChecks());
        services.AddSingleton<HealthCheckReport>();
        await using var provider = services.BuildServiceProvider();
        var health = await provider.GetRequiredService<HealthCheckReport>().CheckAsync(CancellationToken.None);
        return (health.StatusCode, JsonDocument.Parse(health.JsonBody).RootElement.Clone(), health.JsonBody);
    }

    [Fact]
    public async Task Healthy_and_degraded_checks_answer_200_with_each_check_described()
    {
        var (status, body, _) = await CheckAsync(b => b
            .AddCheck("queue", () => HealthCheckResult.Healthy("Queue scale-commands reachable."))
            .AddCheck("kubernetes:kafka/kafka", () => HealthCheckResult.Degraded("slow")));

        Assert.Equal(200, status);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        var queue = body.GetProperty("checks").GetProperty("queue");
        Assert.Equal("Healthy", queue.GetProperty("status").GetString());
        Assert.Equal("Queue scale-commands reachable.", queue.GetProperty("description").GetString());
        Assert.True(queue.GetProperty("durationMs").GetDouble() >= 0);
        Assert.Equal("slow", body.GetProperty("checks").GetProperty("kubernetes:kafka/kafka").GetProperty("description").GetString());
    }

    [Fact]
    public async Task One_unhealthy_check_answers_503()
    {
        var (status, body, _) = await CheckAsync(b => b
            .AddCheck("queue", () => HealthCheckResult.Healthy())
            .AddCheck("cruisecontrol:kafka/kafka", () => HealthCheckResult.Unhealthy("Cruise Control answered HTTP 503.")));

        Assert.Equal(503, status);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("cruisecontrol:kafka/kafka").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_check_that_throws_is_reported_by_exception_type_never_by_its_message()
    {
        var (status, body, json) = await CheckAsync(b => b.AddCheck("kubernetes:kafka/kafka", () =>
            throw new HttpRequestException($"GET https://user:{Secret}@api.example/ failed, Authorization: Bearer {Secret}")));

        Assert.Equal(503, status);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Equal("The check failed (HttpRequestException).",
            body.GetProperty("checks").GetProperty("kubernetes:kafka/kafka").GetProperty("description").GetString());
    }

    [Fact]
    public async Task An_unhealthy_result_keeps_its_own_description_and_drops_its_exception()
    {
        var (_, body, json) = await CheckAsync(b => b.AddCheck("queue", () =>
            HealthCheckResult.Unhealthy("Queue scale-commands is not usable: HTTP 403.", new InvalidOperationException($"AccountKey={Secret}"))));

        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.Equal("Queue scale-commands is not usable: HTTP 403.",
            body.GetProperty("checks").GetProperty("queue").GetProperty("description").GetString());
    }
}
