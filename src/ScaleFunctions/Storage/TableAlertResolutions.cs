using Azure.Data.Tables;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Storage;

/// <summary>
/// Remembers alert firing episodes that Alertmanager reported resolved. Intake records them; the executor asks before it
/// acts on (or defers again) a command, and cancels a command whose alerts have all resolved.
/// </summary>
public interface IAlertResolutions
{
    Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken);

    Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IAlertResolutions"/> in an Azure Table (<c>Intake:ResolutionsTable</c>) of <see cref="StorageAccount"/>:
/// one upserted entity per resolved firing episode, keyed by cluster and <see cref="AlertRef.Key"/>, written in batch
/// transactions of at most <see cref="MaxBatch"/> entities of one partition, as Azure Tables requires
/// (docs/intake.md#resolved-alerts).
/// </summary>
public sealed class TableAlertResolutions(StorageAccount account, string tableName, TimeProvider time) : IAlertResolutions
{
    /// <summary>Azure Table's limit of operations in one batch transaction.</summary>
    public const int MaxBatch = 100;

    // Azure Table allows at most 15 comparisons in one filter: the partition and 14 row keys.
    private const int KeysPerQuery = 14;
    private const int ParallelBatches = 4;

    private readonly TableClient table = account.GetTable(tableName);
    private volatile bool created;

    public async Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> resolved, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        var now = time.GetUtcNow();

        // An entity is at most a few KiB (validated fingerprint, alert name of at most 256 characters), so a batch of
        // 100 stays far below the 4 MiB a batch transaction may carry.
        var batches = resolved.DistinctBy(a => a.Key).Chunk(MaxBatch).Select(chunk => chunk.Select(alert => new TableTransactionAction(
            TableTransactionActionType.UpsertReplace,
            new TableEntity(PartitionKey(cluster), alert.Key)
            {
                ["AlertName"] = alert.AlertName,
                ["Fingerprint"] = alert.Fingerprint,
                ["StartsAt"] = alert.StartsAt,
                ["RecordedAt"] = now,
            })).ToList());
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken },
            async (batch, ct) => await SubmitAsync(batch, ct));
    }

    /// <summary>
    /// True when every alert (at least one) has been recorded as resolved for this cluster: one query per 14 alerts,
    /// asking only for the row keys.
    /// </summary>
    public async Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return false;
        }

        // Reading creates nothing (plan reads too, and writes nothing): no table yet means nothing resolved yet.
        var partition = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(cluster)}");
        foreach (var keys in alerts.Select(a => a.Key).Distinct(StringComparer.Ordinal).Chunk(KeysPerQuery))
        {
            var filter = $"{partition} and ({string.Join(" or ", keys.Select(key => TableClient.CreateQueryFilter($"RowKey eq {key}")))})";
            var found = 0;
            try
            {
                await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: KeysPerQuery, select: ["RowKey"], cancellationToken: cancellationToken))
                {
                    found++;
                }
            }
            catch (Exception ex) when (StorageErrors.IsMissingContainer(ex))
            {
                created = false;
                return false;
            }

            if (found < keys.Length)
            {
                return false;
            }
        }

        return true;
    }

    public static string PartitionKey(ClusterRef cluster) => $"{cluster.Namespace}:{cluster.Name}";

    private async Task SubmitAsync(IReadOnlyList<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (Exception ex) when (StorageErrors.IsMissingContainer(ex))
        {
            created = false;
            throw;
        }
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!created)
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
            created = true;
        }
    }
}
