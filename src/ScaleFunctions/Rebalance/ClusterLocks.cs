using System.Collections.Concurrent;
using ScaleFunctions.Configuration;

namespace ScaleFunctions.Rebalance;

/// <summary>
/// One in-process lock per cluster, so two rebalance checks of one cluster never overlap in this process (a slow
/// follow-up and the next timer tick, or a manual run). Across processes the timer trigger is a singleton.
/// </summary>
public sealed class ClusterLocks
{
    private readonly ConcurrentDictionary<ClusterRef, SemaphoreSlim> locks = new();

    /// <summary>Takes the cluster's lock without waiting; null when it is held.</summary>
    public IDisposable? TryEnter(ClusterRef cluster)
    {
        var semaphore = locks.GetOrAdd(cluster, _ => new SemaphoreSlim(1, 1));
        return semaphore.Wait(0) ? new Releaser(semaphore) : null;
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
