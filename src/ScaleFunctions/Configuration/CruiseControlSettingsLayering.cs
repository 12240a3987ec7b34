using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ScaleFunctions.Configuration;

/// <summary>
/// Gives every managed cluster its effective Cruise Control settings: the global <c>CruiseControl</c> section first,
/// then the cluster's own <c>Clusters__N__CruiseControl</c> section on top, key by key.
/// </summary>
public sealed class CruiseControlSettingsLayering(IConfiguration configuration) : IPostConfigureOptions<ManagedClustersOptions>
{
    public void PostConfigure(string? name, ManagedClustersOptions options)
    {
        var clusterSections = configuration.GetSection("Clusters").GetChildren().ToList();

        // Binding the Clusters list skips an entry that fails to bind (an unknown CapacityOpinion or ExecuteVia would
        // drop the whole cluster silently): bind each entry's section on its own, so the binder's error, naming the
        // setting, stops the app at start instead.
        foreach (var section in clusterSections)
        {
            section.GetSection(CruiseControlOptions.SectionName).Bind(new CruiseControlOptions());
        }

        foreach (var cluster in options.Clusters)
        {
            var effective = new CruiseControlOptions();
            configuration.GetSection(CruiseControlOptions.SectionName).Bind(effective);
            var own = clusterSections.FirstOrDefault(s =>
                string.Equals(s["Namespace"], cluster.Namespace, StringComparison.Ordinal) &&
                string.Equals(s["Name"], cluster.Name, StringComparison.Ordinal));
            own?.GetSection(CruiseControlOptions.SectionName).Bind(effective);
            cluster.CruiseControl = effective;
        }
    }
}
