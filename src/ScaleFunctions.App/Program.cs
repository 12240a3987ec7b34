using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ScaleFunctions;
using ScaleFunctions.App.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Configuration.AddWorkerLogLevels();
builder.ConfigureFunctionsWebApplication();
builder.Services.AddScaleFunctions(builder.Configuration);
builder.Services.AddScaleFunctionsTelemetry(builder.Configuration);
builder.Build().Run();
