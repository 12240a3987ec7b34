using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;

namespace ScaleFunctions.Tests.Rebalance;

/// <summary>The executor's view of a cluster, set by the test. <see cref="Gate"/>, when set, holds every call until released.</summary>
public sealed class FakeScaleActivity : IScaleActivity
{
    public static readonly ScaleActivity Resting = new(false, false, false, null);

    public ScaleActivity Activity { get; set; } = Resting;

    public Dictionary<string, ScaleActivity> PerCluster { get; } = new(StringComparer.Ordinal);

    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<ScaleActivity> GetAsync(ManagedClusterOptions cluster, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return PerCluster.TryGetValue(cluster.Ref.ToString(), out var activity) ? activity : Activity;
    }
}
