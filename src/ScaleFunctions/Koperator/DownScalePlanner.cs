using ScaleFunctions.Execution;

namespace ScaleFunctions.Koperator;

/// <summary>
/// downScale on a KafkaCluster: removes one broker from <c>spec.brokers</c>, which Koperator then drains; never one
/// already draining. Which broker: docs/executor.md#what-each-command-does.
/// </summary>
public static class DownScalePlanner
{
    public static BrokerPlan Plan(KafkaClusterResource cluster, int? brokerId, IReadOnlyDictionary<int, int>? replicaCounts)
    {
        int chosen;
        string why;
        if (brokerId is { } requested)
        {
            if (cluster.Broker(requested) is null)
            {
                return BrokerPlan.Refuse(ReasonCodes.BrokerNotFound, $"broker {requested} is not in spec.brokers");
            }

            if (GracefulActions.IsDraining(cluster, requested))
            {
                return BrokerPlan.Refuse(ReasonCodes.BrokerDraining, $"broker {requested} is already being drained");
            }

            chosen = requested;
            why = "named by the alert";
        }
        else
        {
            var candidates = cluster.BrokerIds.Where(id => id >= 0 && !GracefulActions.IsDraining(cluster, id)).ToList();
            if (candidates.Count == 0)
            {
                return BrokerPlan.Refuse(ReasonCodes.NoRemovableBroker, "every broker in spec.brokers is already draining");
            }

            if (replicaCounts is not null)
            {
                chosen = candidates.OrderBy(id => replicaCounts.GetValueOrDefault(id)).ThenByDescending(id => id).First();
                why = $"fewest partition replicas ({replicaCounts.GetValueOrDefault(chosen)}) according to Cruise Control";
            }
            else
            {
                chosen = candidates.Max();
                why = "highest id (Cruise Control replica counts unavailable)";
            }
        }

        cluster.RemoveBroker(chosen);
        return BrokerPlan.Change(chosen, $"remove broker {chosen} ({why})");
    }
}
