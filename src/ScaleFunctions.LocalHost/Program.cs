using ScaleFunctions;
using ScaleFunctions.Hosting;
using ScaleFunctions.Intake;
using ScaleFunctions.LocalHost;

// The same functions as src/ScaleFunctions.App, without Azure Functions Core Tools:
// same DI entry point (AddScaleFunctions), same settings (local.settings.json "Values"), same host.json queue settings.
var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);
builder.Services.AddScaleFunctions(builder.Configuration);
builder.Services.AddHostedService<RebalanceTimer>();

var app = builder.Build();
app.MapPost("/api/alerts", async (HttpRequest request, IAlertWebhookHandler handler, CancellationToken ct) =>
    (await handler.HandleAsync(request.ToWebhookRequest(), ct)).ToResult());
app.Run();

/// <summary>Entry point, visible to tests that start the local host in-process.</summary>
public partial class Program;
