using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ScaleFunctions;
using ScaleFunctions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Logging.AddCredentialSafeLogging();
builder.Services.AddScaleFunctions(builder.Configuration);
builder.Build().Run();
