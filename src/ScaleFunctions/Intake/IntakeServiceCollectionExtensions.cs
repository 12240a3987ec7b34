using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleFunctions;

/// <summary>Registers alert intake: webhook authentication, interpretation, coalescing and the command queue.</summary>
public static class IntakeServiceCollectionExtensions
{
    public static IServiceCollection AddAlertIntake(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the alert-intake work.
        return services;
    }
}
