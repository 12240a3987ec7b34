using ScaleFunctions.LocalHost;

// The same functions as src/ScaleFunctions.App, without Azure Functions Core Tools (see LocalHostApp).
// "peek" prints what waits on the command queue instead (npm run peek); "plan" what a webhook file would do (npm run plan).
if (args is ["peek", ..])
{
    return await QueuePeek.RunAsync(args[1..]);
}

if (args is ["plan", ..])
{
    return await PlanCommandLine.RunAsync(args[1..], Console.Out, Console.Error);
}

// Ctrl+C and SIGTERM stop the app gracefully: hosted services stop in reverse order, the embedded Azurite last.
await using var app = LocalHostApp.Build(args);
if (PortInUse.Check(app) is { } portInUse)
{
    Console.Error.WriteLine(portInUse);
    return 1;
}

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (PortInUse.Describe(ex, app.Configuration) is { } message)
{
    Console.Error.WriteLine(message);
    return 1;
}

/// <summary>Entry point, visible to tests that start the local host in-process.</summary>
public partial class Program;
