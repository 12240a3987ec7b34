extern alias FunctionsApp;
using System.Reflection;
using System.Text;
using System.Text.Json;
using FunctionsApp::ScaleFunctions.App.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Intake;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// The push route on Azure: anonymous at the Functions host (Prometheus cannot send a function key), so the app's own
/// credential is mandatory there and every request is refused while none is configured.
/// </summary>
public sealed class PushRouteTest
{
    private static WebhookRequest Unguarded(string body, IReadOnlyDictionary<string, string>? headers = null) =>
        Webhooks.Request(body, headers: headers) with { RequiresAppCredential = true };

    private static string Body => Webhooks.Pushed(DateTimeOffset.Parse("2025-01-15T10:05:00Z", System.Globalization.CultureInfo.InvariantCulture), Webhooks.Alert("Overloaded"));

    [Fact]
    public void The_function_is_anonymous_at_v2_alerts_which_the_api_route_prefix_makes_the_path_Prometheus_posts_to()
    {
        var run = typeof(PrometheusPushFunction).GetMethod(nameof(PrometheusPushFunction.Run))!;
        var trigger = run.GetParameters()[0].GetCustomAttribute<HttpTriggerAttribute>()!;

        Assert.Equal(AuthorizationLevel.Anonymous, trigger.AuthLevel);
        Assert.Equal(["post"], trigger.Methods!);
        var routePrefix = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("host.json")))
            .RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        // Prometheus posts to path.Join("/", path_prefix, "/api/v2/alerts"): with path_prefix "/", /api/v2/alerts.
        Assert.Equal("/api/v2/alerts", $"/{routePrefix}/{trigger.Route}");
    }

    [Fact]
    public async Task The_function_hands_the_request_over_as_one_no_host_checked()
    {
        // The real handler with no app-level credential: a request the host did not check must be refused.
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Auth:FunctionKey"] = null });
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(Body));
        context.Response.Body = new MemoryStream();

        var result = await new PrometheusPushFunction(harness.Handler).Run(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task Refuses_every_request_with_403_while_no_app_level_credential_is_configured()
    {
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Auth:FunctionKey"] = null });

        var response = await harness.PostAsync(Unguarded(Body));

        Assert.Equal(403, response.StatusCode);
        Assert.Contains("Auth__BearerToken", response.JsonBody, StringComparison.Ordinal);
        Assert.Empty(harness.Queue.Commands);
    }

    [Fact]
    public async Task With_a_bearer_token_configured_checks_it_like_the_webhook_route()
    {
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Auth:FunctionKey"] = null, ["Auth:BearerToken"] = TestCredentials.BearerToken });

        var without = await harness.PostAsync(Unguarded(Body));
        var wrong = await harness.PostAsync(Unguarded(Body, new Dictionary<string, string> { ["Authorization"] = "Bearer not-the-token-0123456789" }));
        var right = await harness.PostAsync(Unguarded(Body, new Dictionary<string, string> { ["Authorization"] = $"Bearer {TestCredentials.BearerToken}" }));

        Assert.Equal(401, without.StatusCode);
        Assert.Equal(401, wrong.StatusCode);
        Assert.Equal(202, right.StatusCode);
        Assert.Single(harness.Queue.Commands);
    }

    [Fact]
    public async Task The_webhook_route_behind_the_host_key_check_still_needs_no_app_level_credential()
    {
        using var harness = new IntakeHarness(new Dictionary<string, string?> { ["Auth:FunctionKey"] = null });

        var response = await harness.PostAsync(Webhooks.Firing(Webhooks.Alert("Overloaded")));

        Assert.Equal(202, response.StatusCode);
    }
}
