using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using ScaleFunctions.Testing;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// Webhook bodies derived from real ones: the Alertmanager reference payloads, the same alerts pushed the way Prometheus
/// pushes them, and test webhooks for every command of the managed cluster, each put through a few structural mutations
/// (type swaps, numbers as strings, nulls everywhere, deep nesting, huge or dirty strings, many alerts, many resolved
/// alerts, the managed cluster's labels on a foreign alert) and byte mutations (flips, truncation, invalid UTF-8, duplicate
/// keys, lone surrogates, splices). Everything is a function of CsCheck's random numbers, so a failure shrinks and replays
/// from its seed.
/// </summary>
public static class FuzzedWebhooks
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 1024 };

    private static readonly string[] Dirt =
    [
        "\u0000", "\n", "\r\n", "\t", "\u001b[31m", "\u007f", "\u0085", "\u202e", "\u2028", "\u2029", "\ufeff", "\u200b",
        "\ud83d\ude00", "€", "\u00a0", "'", "\"", "\\", "{{", "%s", "<script>", "\uffff",
    ];

    private const int MaxBodyChars = 3 << 20;

    private static readonly string[] CommandNames = ["upScale", "downScale", "addPvc", "addPVC", "resizePvc", "UPSCALE", "", " upScale"];

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xEF, 0xBB, 0xBF],
    ];

    private static readonly string[] EscapedDirt = ["\\ud800", "\\udc00", "\\ud83d", "\\u0000", "\\uD800\\uD800", "\\x41", "\\", "\\u12"];

    /// <summary>The intake's clock (as <see cref="IntakeHarness"/>'s); initialised before the seeds: pushed alerts ending before it are resolved.</summary>
    public static DateTimeOffset Now { get; } = DateTimeOffset.Parse("2025-01-15T10:05:00Z", CultureInfo.InvariantCulture);

    /// <summary>The bodies mutations start from (both formats), named for the failure report.</summary>
    public static IReadOnlyList<(string Name, JsonNode Body)> Seeds { get; } = LoadSeeds();

    /// <summary>A body: a seed, up to four structural mutations, then up to three byte mutations; and the route it goes to.</summary>
    public static Gen<FuzzedBody> Body(int maxAlertsExponent) =>
        Gen.Select(
            Gen.Int[0, Seeds.Count - 1],
            Mutation(structural: true, maxAlertsExponent).Array[0, 4],
            Gen.Frequency((3, Gen.Const(Array.Empty<Mutation>())), (1, Mutation(structural: false, maxAlertsExponent).Array[1, 3])),
            Gen.Bool,
            (seed, structural, bytes, pushRoute) => Build(seed, structural, bytes, pushRoute));

    // Large bodies cost milliseconds each: many alerts and huge strings are drawn less often than the cheap mutations.
    private static readonly Gen<int> StructuralKind = Gen.Frequency(
        [.. Enumerable.Range(0, (int)MutationKind.LastStructural + 1).Select(kind => (kind switch
        {
            (int)MutationKind.ManyAlerts => 1,
            (int)MutationKind.HugeString => 2,
            _ => 8,
        }, Gen.Const(kind)))]);

    private static Gen<Mutation> Mutation(bool structural, int maxAlertsExponent) =>
        Gen.Select(
            structural ? StructuralKind : Gen.Int[(int)MutationKind.LastStructural + 1, (int)MutationKind.Last],
            Gen.Int[0, 1 << 20],
            Gen.Int[0, maxAlertsExponent],
            Gen.Int[0, 1 << 16],
            (kind, where, size, choice) => new Mutation((MutationKind)kind, where, size, choice));

    private static FuzzedBody Build(int seed, Mutation[] structural, Mutation[] bytes, bool pushRoute)
    {
        var (name, original) = Seeds[seed];
        var node = original.DeepClone();
        foreach (var mutation in structural)
        {
            node = ApplyStructural(node, mutation);
        }

        var body = Encoding.UTF8.GetBytes(node?.ToJsonString(Relaxed) ?? "null");
        foreach (var mutation in bytes)
        {
            body = ApplyBytes(body, mutation);
        }

        return new FuzzedBody(pushRoute, body, [name, .. structural.Select(m => m.ToString()), .. bytes.Select(m => m.ToString())]);
    }

    private static List<(string Name, JsonNode Body)> LoadSeeds()
    {
        var seeds = new List<(string Name, JsonNode Body)>();
        foreach (var file in Directory.GetFiles(ReferenceFiles.Directory("alertmanager"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var webhook = JsonNode.Parse(ReferenceFiles.AlertmanagerPayload(file!))!;
            seeds.Add((file!, webhook));
            if (webhook["alerts"] is JsonArray alerts)
            {
                seeds.Add(($"{file} pushed", JsonNode.Parse(Webhooks.Pushed(Now, [.. alerts.OfType<JsonObject>()]))!));
            }
        }

        seeds.Add(("docs/examples/upscale-webhook.json", JsonNode.Parse(File.ReadAllBytes(ReferenceFiles.InRepository("docs/examples/upscale-webhook.json")))!));
        var broker = new Dictionary<string, string> { ["brokerId"] = "2" };
        var volume = new Dictionary<string, string> { ["mountPath"] = "/kafka-logs-2", ["diskSize"] = "10Gi", ["storageClass"] = "standard" };
        var claim = new Dictionary<string, string> { ["persistentvolumeclaim"] = "kafka-0-storage-0-abcde" };
        JsonObject[] managed =
        [
            Webhooks.Alert("BrokerOverloaded", "upScale", annotations: new Dictionary<string, string> { ["brokerConfigGroup"] = "default" }),
            Webhooks.Alert("PartitionCountLow", "downScale", labels: broker),
            Webhooks.Alert("DiskFull", "addPvc", labels: broker, annotations: volume),
            Webhooks.Alert("DiskFilling", "resizePvc", labels: claim, annotations: new Dictionary<string, string> { ["incrementBy"] = "5Gi" }),
            Webhooks.Alert("Gone", "upScale", status: "resolved"),
            Webhooks.Alert("Unmanaged", "upScale", labels: new Dictionary<string, string> { ["kafka_cr"] = "other" }),
            Webhooks.Alert("NoCommand", null),
        ];
        seeds.Add(("managed cluster, every command", JsonNode.Parse(Webhooks.Firing(managed))!));
        seeds.Add(("managed cluster, every command, pushed", JsonNode.Parse(Webhooks.Pushed(Now, managed))!));
        seeds.Add(("managed cluster, resolved", JsonNode.Parse(Webhooks.Envelope("resolved", [.. managed.Select(a => Resolved(a))]))!));
        seeds.Add(("managed cluster, upScale", JsonNode.Parse(Webhooks.Firing(managed[0]))!));
        seeds.Add(("managed cluster, upScale, pushed", JsonNode.Parse(Webhooks.Pushed(Now, managed[0]))!));
        return seeds;
    }

    private static JsonObject Resolved(JsonObject alert)
    {
        var copy = (JsonObject)alert.DeepClone();
        copy["status"] = "resolved";
        copy["endsAt"] = "2025-01-15T10:04:00Z";
        return copy;
    }

    private static JsonNode? ApplyStructural(JsonNode? root, Mutation m)
    {
        var slots = Slots(root);
        var (parent, key, index, node) = slots[m.Where % slots.Count];
        JsonNode? Replace(JsonNode? value)
        {
            if (parent is null)
            {
                return value;
            }

            if (parent is JsonObject obj)
            {
                obj[key!] = value;
            }
            else
            {
                ((JsonArray)parent)[index] = value;
            }

            return root;
        }

        switch (m.Kind)
        {
            case MutationKind.TypeSwap:
                return Replace(Scalar(m.Choice));
            case MutationKind.NumberAsString:
                return Replace(node is JsonValue v && v.TryGetValue<double>(out var number) ? JsonValue.Create(number.ToString(CultureInfo.InvariantCulture))
                    : node is JsonValue s && s.TryGetValue<string>(out var text) && double.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) ? JsonValue.Create(parsed)
                    : JsonValue.Create(m.Choice));
            case MutationKind.Null:
                return Replace(null);
            case MutationKind.NullsEverywhere:
                foreach (var (p, k, i, _) in slots.Where((_, i) => (i * (m.Choice | 1)) % 3 == 0).Where(s => s.Parent is not null))
                {
                    if (p is JsonObject o && o.ContainsKey(k!))
                    {
                        o[k!] = null;
                    }
                    else if (p is JsonArray a && i < a.Count)
                    {
                        a[i] = null;
                    }
                }

                return root;
            case MutationKind.Remove:
                if (parent is JsonObject owner)
                {
                    owner.Remove(key!);
                    return root;
                }

                return parent is JsonArray array ? RemoveAt(root, array, index) : root;
            case MutationKind.DeepNest:
                var nested = node?.DeepClone();
                for (var depth = 0; depth < 1 + (m.Choice % 80); depth++)
                {
                    nested = m.Choice % 2 == 0 ? new JsonArray(nested) : new JsonObject { ["n"] = nested };
                }

                return Replace(nested);
            case MutationKind.HugeString:
                var length = 1 << (m.Choice % 21);
                var unit = Dirt[m.Where % Dirt.Length] + "x";
                var huge = string.Concat(Enumerable.Repeat(unit, (length / unit.Length) + 1))[..length];
                return Replace(JsonValue.Create(char.IsHighSurrogate(huge[^1]) ? huge[..^1] : huge));
            case MutationKind.DirtyString:
                var dirty = Dirt[m.Choice % Dirt.Length];
                if (parent is JsonObject named && m.Choice % 3 == 0 && !named.ContainsKey(key + dirty))
                {
                    named.Remove(key!);
                    named[key + dirty] = node;
                    return root;
                }

                return Replace(JsonValue.Create((node is JsonValue sv && sv.TryGetValue<string>(out var str) ? str : "kafka") + dirty));
            case MutationKind.AddUnknown:
                if (node is JsonObject target && !target.ContainsKey($"x{m.Choice}"))
                {
                    target[$"x{m.Choice}"] = Scalar(m.Where);
                }

                return root;
            case MutationKind.ManagedLabels:
                return Managed(root, m);
            case MutationKind.ManyAlerts:
                return Many(root, m);
            default:
                return root;
        }
    }

    private static JsonNode? RemoveAt(JsonNode? root, JsonArray array, int index)
    {
        array.RemoveAt(index);
        return root;
    }

    /// <summary>Every place a value sits: (parent, property or index, value); the root first, with no parent.</summary>
    private static List<(JsonNode? Parent, string? Key, int Index, JsonNode? Node)> Slots(JsonNode? root)
    {
        var slots = new List<(JsonNode? Parent, string? Key, int Index, JsonNode? Node)> { (null, null, 0, root) };
        void Walk(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                foreach (var (key, value) in obj.ToList())
                {
                    slots.Add((obj, key, 0, value));
                    Walk(value);
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, null, i, array[i]));
                    Walk(array[i]);
                }
            }
        }

        Walk(root);
        return slots;
    }

    private static JsonNode? Scalar(int choice) => (choice % 14) switch
    {
        0 => JsonValue.Create(0),
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(1e308),
        3 => JsonValue.Create(3.5),
        4 => JsonValue.Create(true),
        5 => JsonValue.Create(false),
        6 => null,
        7 => JsonValue.Create(""),
        8 => new JsonArray(),
        9 => new JsonObject(),
        10 => JsonValue.Create("firing"),
        11 => JsonNode.Parse(new string('9', 400)),
        12 => JsonValue.Create("0001-01-01T00:00:00Z"),
        _ => JsonValue.Create(long.MaxValue),
    };

    private static JsonArray? Alerts(JsonNode? root) => root as JsonArray ?? (root as JsonObject)?["alerts"] as JsonArray;

    /// <summary>Points one alert at the managed cluster kafka/kafka with some command: foreign alerts become ours.</summary>
    private static JsonNode? Managed(JsonNode? root, Mutation m)
    {
        if (Alerts(root) is not { Count: > 0 } alerts || alerts[m.Where % alerts.Count] is not JsonObject alert)
        {
            return root;
        }

        if (alert["labels"] is not JsonObject labels)
        {
            alert["labels"] = labels = [];
        }

        labels["namespace"] = "kafka";
        labels["kafka_cr"] = "kafka";
        if (m.Choice % 4 == 0)
        {
            labels["brokerId"] = $"{m.Choice % 7}";
        }

        if (alert["annotations"] is not JsonObject annotations)
        {
            alert["annotations"] = annotations = [];
        }

        annotations["command"] = CommandNames[m.Choice % CommandNames.Length];
        if (m.Choice % 3 == 0)
        {
            alert["fingerprint"] = $"{m.Where:x16}";
        }

        return root;
    }

    /// <summary>
    /// Up to 2^size copies of the alerts (past Intake:MaxAlertsPerWebhook at the top), each its own fingerprint, some with
    /// their own broker (distinct downScale targets: past Intake:MaxCommandsPerWebhook), many of them resolved.
    /// </summary>
    private static JsonNode? Many(JsonNode? root, Mutation m)
    {
        if (Alerts(root) is not { Count: > 0 } alerts)
        {
            return root;
        }

        var originals = alerts.Select(a => a?.DeepClone()).ToList();
        // Past Intake:MaxBodyBytes (1 MiB) only the size check is left to try: a few MiB at most.
        var each = Math.Max(1, alerts.ToJsonString(Relaxed).Length / alerts.Count);
        var count = Math.Min(1 << m.Size, Math.Max(alerts.Count, MaxBodyChars / each));
        var resolvedShare = m.Choice % 4; // none, half, all, all but the last
        for (var i = alerts.Count; i < count; i++)
        {
            var copy = originals[i % originals.Count]?.DeepClone();
            if (copy is JsonObject alert)
            {
                alert["fingerprint"] = $"{i + ((long)m.Where << 20):x16}";
                if (alert["labels"] is JsonObject labels)
                {
                    labels["alertname"] = $"{labels["alertname"]?.GetValueKind() switch { JsonValueKind.String => (string?)labels["alertname"], _ => "Many" }}{i}";
                    if (m.Where % 2 == 0)
                    {
                        labels["brokerId"] = $"{i % (1 + (m.Where % 300))}";
                    }
                }

                var resolved = resolvedShare switch { 0 => false, 1 => i % 2 == 0, 2 => true, _ => i < count - 1 };
                if (resolved)
                {
                    alert["status"] = "resolved";
                    alert["endsAt"] = "2025-01-15T10:04:00Z";
                }
            }

            alerts.Add(copy);
        }

        return root;
    }

    private static byte[] ApplyBytes(byte[] body, Mutation m)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var at = m.Where % body.Length;
        switch (m.Kind)
        {
            case MutationKind.ByteFlip:
                var flipped = (byte[])body.Clone();
                flipped[at] ^= (byte)(1 + (m.Choice % 255));
                return flipped;
            case MutationKind.Truncate:
                return body[..at];
            case MutationKind.InvalidUtf8:
                return [.. body[..at], .. BadUtf8[m.Choice % BadUtf8.Length], .. body[at..]];
            case MutationKind.Splice:
                var end = Math.Min(body.Length, at + 1 + (m.Choice % 64));
                return m.Choice % 2 == 0 ? [.. body[..at], .. body[end..]] : [.. body[..end], .. body[at..]];
            case MutationKind.DuplicateKey:
                return DuplicateKey(body, m);
            case MutationKind.EscapedSurrogate:
                var quotes = Positions(body, (byte)'"');
                if (quotes.Count == 0)
                {
                    return body;
                }

                var quote = quotes[m.Choice % quotes.Count] + 1;
                return [.. body[..quote], .. Encoding.ASCII.GetBytes(EscapedDirt[m.Where % EscapedDirt.Length]), .. body[quote..]];
            default:
                return body;
        }
    }

    /// <summary>Repeats the first key of some object right after its <c>{</c>: <c>{"status":null,"status":"firing",…}</c>.</summary>
    private static byte[] DuplicateKey(byte[] body, Mutation m)
    {
        var text = Encoding.UTF8.GetString(body);
        var starts = new List<int>();
        for (var i = text.IndexOf("{\"", StringComparison.Ordinal); i >= 0; i = text.IndexOf("{\"", i + 1, StringComparison.Ordinal))
        {
            starts.Add(i);
        }

        if (starts.Count == 0)
        {
            return body;
        }

        var start = starts[m.Where % starts.Count];
        var close = text.IndexOf("\":", start + 2, StringComparison.Ordinal);
        if (close < 0)
        {
            return body;
        }

        var key = text[(start + 1)..(close + 1)];
        var value = (m.Choice % 3) switch { 0 => "null", 1 => "\"firing\"", _ => "{}" };
        return Encoding.UTF8.GetBytes(text[..(start + 1)] + key + ":" + value + "," + text[(start + 1)..]);
    }

    private static List<int> Positions(byte[] body, byte value)
    {
        var positions = new List<int>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == value)
            {
                positions.Add(i);
            }
        }

        return positions;
    }
}

/// <summary>What a mutation does; those up to <see cref="LastStructural"/> work on the JSON tree, the rest on the bytes.</summary>
public enum MutationKind
{
    TypeSwap,
    NumberAsString,
    Null,
    NullsEverywhere,
    Remove,
    DeepNest,
    HugeString,
    DirtyString,
    AddUnknown,
    ManagedLabels,
    ManyAlerts,
    LastStructural = ManyAlerts,
    ByteFlip,
    Truncate,
    InvalidUtf8,
    Splice,
    DuplicateKey,
    EscapedSurrogate,
    Last = EscapedSurrogate,
}

/// <summary>One mutation: what, where (an index into the places, modulo their count), a size exponent and a choice.</summary>
public sealed record Mutation(MutationKind Kind, int Where, int Size, int Choice)
{
    public override string ToString() => $"{Kind}({Where},{Size},{Choice})";
}

/// <summary>A fuzzed body, the route it is posted to and how it was made.</summary>
public sealed record FuzzedBody(bool PushRoute, byte[] Bytes, IReadOnlyList<string> Steps)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Bytes);
        var preview = text.Length > 600 ? text[..600] + $"… ({Bytes.Length} bytes)" : text;
        return $"{(PushRoute ? "/api/v2/alerts" : "/api/alerts")} from {string.Join(" → ", Steps)}: {preview}";
    }
}
