using System.Net;
using System.Text.Json.Serialization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleFunctions.Configuration;

using ScaleFunctions.Kubernetes;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// Reads and creates Koperator CruiseControlOperations (the rebalance check's operator path, and what tells the executor
/// Koperator is moving partitions). A rebalance is created as Koperator's own controllers do: the object, then its
/// <c>status.currentTask</c>, since the controller ignores an operation created without a task (docs/rebalance.md,
/// "Through Koperator").
/// </summary>
public sealed class CruiseControlOperations(IKubernetes kubernetes, TimeProvider time)
{
    /// <summary>Set on an operation this app created once its result has been logged (value: the task's final state).</summary>
    public const string ResultLoggedAnnotation = "scalefunctions.io/result-logged";

    /// <summary>Every operation of the cluster (label <c>kafka_cr</c>), finished or not, whoever created it.</summary>
    public async Task<IReadOnlyList<CruiseControlOperation>> ListAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        var list = await kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<CruiseControlOperationList>(
            CruiseControlOperation.Group, CruiseControlOperation.Version, cluster.Namespace, CruiseControlOperation.Plural,
            labelSelector: $"{CruiseControlOperation.ClusterLabel}={cluster.Name}", cancellationToken: cancellationToken);
        return list.Items
            .Where(o => o.Metadata.Labels?.TryGetValue(CruiseControlOperation.ClusterLabel, out var owner) == true && owner == cluster.Name)
            .ToList();
    }

    /// <summary>Operations of the cluster that Koperator has still to run or is running.</summary>
    public async Task<IReadOnlyList<CruiseControlOperation>> ListUnfinishedAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken) =>
        (await ListAsync(cluster, cancellationToken)).Where(o => o.IsUnfinished).ToList();

    /// <summary>
    /// Annotates the operation with <see cref="ResultLoggedAnnotation"/>, guarded by the resourceVersion it was read
    /// with: false (nothing written) when it changed or disappeared since, so a result is never marked on a stale reading.
    /// </summary>
    public async Task<bool> TryMarkResultLoggedAsync(CruiseControlOperation operation, CancellationToken cancellationToken)
    {
        var patch = new
        {
            metadata = new
            {
                resourceVersion = operation.Metadata.ResourceVersion,
                annotations = new Dictionary<string, string> { [ResultLoggedAnnotation] = operation.CurrentTask?.State ?? "" },
            },
        };
        try
        {
            await kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<CruiseControlOperation>(
                new V1Patch(patch, V1Patch.PatchType.MergePatch), CruiseControlOperation.Group, CruiseControlOperation.Version,
                operation.Metadata.NamespaceProperty, CruiseControlOperation.Plural, operation.Metadata.Name, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public Task<CruiseControlOperation> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<CruiseControlOperation>(
            CruiseControlOperation.Group, CruiseControlOperation.Version, @namespace, CruiseControlOperation.Plural, name, cancellationToken);

    /// <summary>
    /// <c>{cluster}-rebalance-{yyyyMMdd-HHmmss}</c> (UTC): readable, sortable, and a second start in the same second is
    /// refused by the API server (409 AlreadyExists) instead of creating a twin.
    /// </summary>
    public static string NameFor(ManagedClusterOptions cluster, DateTimeOffset now) =>
        $"{cluster.Name[..Math.Min(cluster.Name.Length, 200)]}-rebalance-{now.UtcDateTime:yyyyMMdd-HHmmss}";

    /// <summary>
    /// Creates a rebalance operation with errorPolicy <c>ignore</c> (a failed periodic rebalance is not retried every
    /// 30 s by Koperator; the next check decides again) and the given TTL.
    /// </summary>
    public async Task<CruiseControlOperation> CreateRebalanceAsync(ManagedClusterOptions cluster, int ttlSecondsAfterFinished, CancellationToken cancellationToken)
    {
        var owner = await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ObjectHead>(
            "kafka.banzaicloud.io", "v1beta1", cluster.Namespace, "kafkaclusters", cluster.Name, cancellationToken);
        var operation = new CruiseControlOperation
        {
            Metadata = new V1ObjectMeta
            {
                Name = NameFor(cluster, time.GetUtcNow()),
                NamespaceProperty = cluster.Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["app"] = "kafka",
                    [CruiseControlOperation.ClusterLabel] = cluster.Name,
                    [ManagedBy.Label] = ManagedBy.Value,
                },
                OwnerReferences = [new V1OwnerReference { ApiVersion = "kafka.banzaicloud.io/v1beta1", Kind = "KafkaCluster", Name = cluster.Name, Uid = owner.Metadata.Uid }],
            },
            Spec = new CruiseControlOperationSpec
            {
                ErrorPolicy = CruiseControlOperationSpec.ErrorPolicyIgnore,
                TtlSecondsAfterFinished = ttlSecondsAfterFinished,
            },
        };

        var created = await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<CruiseControlOperation>(
            operation, CruiseControlOperation.Group, CruiseControlOperation.Version, cluster.Namespace, CruiseControlOperation.Plural, cancellationToken: cancellationToken);

        var status = new
        {
            status = new CruiseControlOperationStatus
            {
                ErrorPolicy = CruiseControlOperationSpec.ErrorPolicyIgnore,
                CurrentTask = new CruiseControlTask
                {
                    Operation = CruiseControlTask.Rebalance,
                    Parameters = new Dictionary<string, string>
                    {
                        ["exclude_recently_demoted_brokers"] = "true",
                        ["exclude_recently_removed_brokers"] = "true",
                    },
                },
            },
        };

        try
        {
            return await kubernetes.CustomObjects.PatchNamespacedCustomObjectStatusAsync<CruiseControlOperation>(
                new V1Patch(status, V1Patch.PatchType.MergePatch), CruiseControlOperation.Group, CruiseControlOperation.Version,
                cluster.Namespace, CruiseControlOperation.Plural, created.Metadata.Name, cancellationToken: cancellationToken);
        }
        catch
        {
            await DeleteQuietlyAsync(cluster.Namespace, created.Metadata.Name);
            throw;
        }
    }

    /// <summary>Never leave a task-less operation behind: Koperator ignores it, and it would only confuse people.</summary>
    private async Task DeleteQuietlyAsync(string @namespace, string name)
    {
        try
        {
            await kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(
                CruiseControlOperation.Group, CruiseControlOperation.Version, @namespace, CruiseControlOperation.Plural, name);
        }
        catch (Exception)
        {
            // The original failure is the one worth reporting.
        }
    }

    private sealed record ObjectHead([property: JsonPropertyName("metadata")] V1ObjectMeta Metadata);
}
