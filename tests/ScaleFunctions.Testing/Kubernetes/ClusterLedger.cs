using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleFunctions.Testing.Kubernetes;

/// <summary>
/// What the double stored for one KafkaCluster, commit by commit: the broker counts it went through and, for every write
/// of the object itself (spec or annotations changed; Koperator's status writes are not), the command it carried — the
/// newest key of <c>scalefunctions.io/recent-commands</c>, where the executor puts its command's key in the same write
/// as the change (a key written again moves to the end). So a test counts the writes per command on the server side,
/// whatever the client saw.
/// </summary>
public sealed class ClusterLedger : IDisposable
{
    private const string RecentCommands = "scalefunctions.io/recent-commands";
    private readonly Lock gate = new();
    private readonly KubernetesApiDouble api;
    private readonly ObjectKey key;
    private readonly Dictionary<string, int> writesPerKey = new(StringComparer.Ordinal);
    private readonly List<int> counts = [];
    private string written;
    private int writesWithoutKey;

    public ClusterLedger(KubernetesApiDouble api, string @namespace = "kafka", string name = "kafka")
    {
        this.api = api;
        key = ObjectKey.KafkaCluster(@namespace, name);
        var current = api.Store.Get(key);
        written = Written(current);
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

    /// <summary>How many stored writes carried each command key.</summary>
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

    /// <summary>Writes of the object that carried no command key (someone else wrote it, or the executor wrote without its memory).</summary>
    public int WritesWithoutKey
    {
        get
        {
            lock (gate)
            {
                return writesWithoutKey;
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
            var now = Written(stored);
            if (now != written)
            {
                if (Keys(stored).LastOrDefault() is { } writer)
                {
                    writesPerKey[writer] = writesPerKey.GetValueOrDefault(writer) + 1;
                }
                else
                {
                    writesWithoutKey++;
                }
            }

            written = now;
            counts.Add(KafkaClusterFixture.BrokerIds(stored).Count);
        }
    }

    /// <summary>What a write of the object changes (the status is Koperator's, through its own subresource).</summary>
    private static string Written(JsonObject cluster) =>
        $"{cluster["spec"]?.ToJsonString()}|{cluster["metadata"]?["annotations"]?.ToJsonString()}";

    private static List<string> Keys(JsonObject cluster) =>
        cluster["metadata"]?["annotations"]?[RecentCommands]?.GetValue<string>() is { } json
            ? JsonSerializer.Deserialize<List<string>>(json) ?? []
            : [];
}
