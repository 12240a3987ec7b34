using ScaleFunctions.Intake;
using ScaleFunctions.Operations;

namespace ScaleFunctions.LocalHost;

/// <summary>
/// <c>dotnet run --project src/ScaleFunctions.LocalHost -- plan webhook.json</c> (<c>npm run plan -- webhook.json</c>):
/// prints what POST /api/plan would answer for the webhook in the file, against the local host's own settings, without
/// starting the host: a rule can be tried before it is deployed. Writes nothing; exit codes in docs/operate.md
/// ("From the command line").
/// </summary>
public static class PlanCommandLine
{
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, Action<WebApplicationBuilder>? configure = null, bool useLocalSettings = true)
    {
        if (args is not [var file, ..] || file.StartsWith('-'))
        {
            await error.WriteLineAsync("usage: plan <webhook.json> (an Alertmanager webhook body)");
            return 2;
        }

        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"plan: {file} does not exist");
            return 2;
        }

        // The app as the local host builds it, never started: no listener, no queue trigger, no timer, no Azurite.
        await using var app = LocalHostApp.Build(args[1..], configure, useLocalSettings);
        WebhookPlanner planner;
        try
        {
            // The executor (and its Kubernetes client) first: settings that cannot reach a cluster fail here, once.
            app.Services.GetRequiredService<ScaleFunctions.Execution.ScaleExecutor>();
            planner = app.Services.GetRequiredService<WebhookPlanner>();
        }
        catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or k8s.Exceptions.KubeConfigException)
        {
            // Settings that cannot work (no kubeconfig, invalid options): one line, as the host's start-up would say it.
            await error.WriteLineAsync($"plan: the settings cannot be used: {ex.Message}");
            return 1;
        }

        await using var body = File.OpenRead(file);
        var response = await planner.PlanAsync(
            new WebhookRequest("application/json", body.Length, _ => null, _ => null, body), CancellationToken.None, authenticated: true);
        await (response.StatusCode == 200 ? output : error).WriteLineAsync(response.JsonBody);
        return response.StatusCode == 200 ? 0 : 1;
    }
}
