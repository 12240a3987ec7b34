using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Kubernetes;

/// <summary>
/// Stops the start with a message naming the setting when the Kubernetes client cannot be built while a function that
/// uses it is enabled, instead of failing on every delivery (docs/executor.md#kubernetes-access, "Checked at start-up").
/// </summary>
public sealed class KubernetesAccessValidation(IServiceProvider services, FunctionSwitches switches, IOptions<KubernetesOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!switches.UsesClusters)
        {
            return Task.CompletedTask;
        }

        try
        {
            services.GetRequiredService<IKubernetes>();
        }
        catch (Exception ex) when (ex is not OptionsValidationException)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KubernetesOptions), [Message(options.Value, ex)]);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Message(KubernetesOptions settings, Exception ex)
    {
        var needed = $"{switches.EnabledClusterFeatures} need(s) Kubernetes access";
        var off = $"or disable the function(s) ({FunctionSwitches.DisabledSetting(FunctionSwitches.ScaleCommands)}, {FunctionSwitches.DisabledSetting(FunctionSwitches.RebalanceCheck)} = true)";
        return settings.Mode switch
        {
            KubernetesAccessMode.InCluster =>
                $"Kubernetes:Mode is InCluster but the app does not run in a pod with a service account ({ex.Message}); {needed}: set Kubernetes__Mode (KubeConfig, AksEntraId) {off}.",
            KubernetesAccessMode.AksEntraId =>
                $"Kubernetes access in AksEntraId mode cannot be configured ({ex.GetType().Name}: {ex.Message}); {needed}: check Kubernetes__Server and Kubernetes__CertificateAuthorityData {off}.",
            _ when string.IsNullOrEmpty(settings.KubeConfigPath) =>
                $"Kubernetes:KubeConfigPath is empty and the default kubeconfig ($HOME/.kube/config) cannot be used ({ex.Message}); {needed}: set Kubernetes__KubeConfigPath (and Kubernetes__Context) or Kubernetes__Mode (InCluster, AksEntraId) {off}.",
            _ =>
                $"Kubernetes:KubeConfigPath '{settings.KubeConfigPath}' cannot be used ({ex.Message}); {needed}: fix Kubernetes__KubeConfigPath / Kubernetes__Context {off}.",
        };
    }
}
