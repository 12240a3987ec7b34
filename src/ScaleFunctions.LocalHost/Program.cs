using ScaleFunctions.LocalHost;

// The same functions as src/ScaleFunctions.App, without Azure Functions Core Tools (see LocalHostApp).
// "peek" prints what waits on the command queue instead (npm run peek).
if (args is ["peek", ..])
{
    return await QueuePeek.RunAsync(args[1..]);
}

await LocalHostApp.Build(args).RunAsync();
return 0;

/// <summary>Entry point, visible to tests that start the local host in-process.</summary>
public partial class Program;
