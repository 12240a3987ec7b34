using Microsoft.Azure.WebJobs.Host;
using ScaleFunctions.Configuration;

// IJobHostMetadataProvider is marked "not ready for public consumption"; it is what the Functions host asks for the
// functions the SDK indexed, and the only way to learn of an indexing error that partial start-up only logs.
#pragma warning disable CS0618

namespace ScaleFunctions.LocalHost;

/// <summary>
/// Stops the start when the WebJobs SDK could not index one of the app's functions (a missing or invalid trigger
/// setting): with the Functions host's partial start-up the SDK would only log it and run without the function
/// (docs/local-host.md, "Indexing"). Registered after the SDK's host, whose indexing error it points to.
/// </summary>
public sealed class FunctionsIndexed(IJobHostMetadataProvider metadata) : IHostedService
{
    private static readonly string[] Functions = [FunctionSwitches.ScaleCommands, FunctionSwitches.RebalanceCheck];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = Functions.Where(name => metadata.GetFunctionMetadata(name) is null).ToList();
        return missing.Count == 0
            ? Task.CompletedTask
            : throw new InvalidOperationException(
                $"The WebJobs host could not index {string.Join(" and ", missing.Select(name => $"'{name}'"))} (the indexing error is logged " +
                "above, category Host.Startup: a setting its trigger names, %ScaleCommandQueue% or %RebalanceSchedule%, is missing or invalid); " +
                "the local host does not start without it.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
