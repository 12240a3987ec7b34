using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using ScaleFunctions.Commands;
using ScaleFunctions.Storage;

namespace ScaleFunctions.Intake;

/// <summary>
/// <see cref="IAlertResolutions"/> in an Azure Table (<c>Intake:ResolutionsTable</c>) of <see cref="StorageAccount"/>.
/// One entity per resolved firing episode: PartitionKey <c>&lt;namespace&gt;:&lt;name&gt;</c> of the cluster, RowKey
/// <see cref="AlertRef.Key"/> (<c>fingerprint@startsAt</c>). Recording is an upsert, so repeats are harmless.
/// </summary>
public sealed class TableAlertResolutions(StorageAccount account, IOptions<IntakeOptions> options, TimeProvider time) : IAlertResolutions
{
    private readonly TableClient table = account.GetTable(options.Value.ResolutionsTable);
    private volatile bool created;

    public async Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var alert in resolved.DistinctBy(a => a.Key))
        {
            var entity = new TableEntity(PartitionKey(cluster), alert.Key)
            {
                ["AlertName"] = alert.AlertName,
                ["Fingerprint"] = alert.Fingerprint,
                ["StartsAt"] = alert.StartsAt,
                ["RecordedAt"] = now,
            };
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>True when every alert (at least one) has been recorded as resolved for this cluster.</summary>
    public async Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return false;
        }

        await EnsureCreatedAsync(cancellationToken);
        foreach (var alert in alerts)
        {
            NullableResponse<TableEntity> found = await table.GetEntityIfExistsAsync<TableEntity>(
                PartitionKey(cluster), alert.Key, ["PartitionKey"], cancellationToken);
            if (!found.HasValue)
            {
                return false;
            }
        }

        return true;
    }

    public static string PartitionKey(ClusterRef cluster) => $"{cluster.Namespace}:{cluster.Name}";

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!created)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            created = true;
        }
    }
}
