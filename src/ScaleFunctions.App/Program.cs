using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ScaleFunctions;
using ScaleFunctions.App.Telemetry;
using ScaleFunctions.Configuration;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Configuration.AddWorkerLogLevels();
builder.Configuration.AddHostJson(AppContext.BaseDirectory); // the dequeue limit the executor shares with the host
builder.ConfigureFunctionsWebApplication();
builder.Services.AddScaleFunctions(builder.Configuration);
builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
builder.Build().Run();
