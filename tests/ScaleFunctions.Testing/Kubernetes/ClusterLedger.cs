using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// What the double stored for one KafkaCluster, commit by commit: the broker counts it went through and which command
/// keys each write added to <c>scalefunctions.io/recent-commands</c> (the executor adds its command's key in the same
/// write as the change). So a test counts the writes per command on the server side, whatever the client saw.
/// </summary>
public sealed class ClusterLedger : IDisposable
{
    private const string RecentCommands = "scalefunctions.io/recent-commands";
    private readonly Lock gate = new();
    private readonly KubernetesApiDouble api;
    private readonly ObjectKey key;
    private readonly Dictionary<string, int> writesPerKey = new(StringComparer.Ordinal);
    private readonly List<int> counts = [];
    private HashSet<string> known;
    private int brokerChangesWithoutKey;

    public ClusterLedger(KubernetesApiDouble api, string @namespace = "kafka", string name = "kafka")
    {
        this.api = api;
        key = ObjectKey.KafkaCluster(@namespace, name);
        var current = api.Store.Get(key);
        known = Keys(current);
        counts.Add(KafkaClusterFixture.BrokerIds(current).Count);
        api.Store.Committed += OnCommitted;
    }

    /// <summary>The broker count after every commit, starting with the count when the ledger started.</summary>
    public IReadOnlyList<int> BrokerCounts
    {
        get
        {
            lock (gate)
            {
                return [.. counts];
            }
        }
    }

    /// <summary>How many stored writes added each command key (a key appears at most once per write).</summary>
    public IReadOnlyDictionary<string, int> WritesPerKey
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, int>(writesPerKey, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Broker-count changes that added no command key (someone else changed the brokers, or the executor wrote without its memory).</summary>
    public int BrokerChangesWithoutKey
    {
        get
        {
            lock (gate)
            {
                return brokerChangesWithoutKey;
            }
        }
    }

    public void Dispose() => api.Store.Committed -= OnCommitted;

    private void OnCommitted(ObjectKey committed, JsonObject stored)
    {
        if (committed != key)
        {
            return;
        }

        lock (gate)
        {
            var keys = Keys(stored);
            var added = keys.Except(known).ToList();
            foreach (var k in added)
            {
                writesPerKey[k] = writesPerKey.GetValueOrDefault(k) + 1;
            }

            var count = KafkaClusterFixture.BrokerIds(stored).Count;
            if (added.Count == 0 && keys.SetEquals(known) && count != counts[^1])
            {
                brokerChangesWithoutKey++;
            }

            known = keys;
            counts.Add(count);
        }
    }

    private static HashSet<string> Keys(JsonObject cluster) =>
        cluster["metadata"]?["annotations"]?[RecentCommands]?.GetValue<string>() is { } json
            ? JsonSerializer.Deserialize<HashSet<string>>(json) ?? []
            : [];
}
