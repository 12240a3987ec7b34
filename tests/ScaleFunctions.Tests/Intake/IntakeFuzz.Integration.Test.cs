using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Intake;
using ScaleFunctions.Storage;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Logging;
using Xunit.Abstractions;

namespace ScaleFunctions.Tests.Intake;

/// <summary>
/// Fuzzing the intake: bodies derived from the reference payloads (<see cref="FuzzedWebhooks"/>), in both formats and
/// on both routes, posted to the handler the HTTP functions call, with storage up. For every body: no exception, no
/// 5xx, a 202 that lists exactly the commands it enqueued and the resolved alerts it recorded, a 4xx that wrote
/// nothing, and nothing from the body in a log line or the response uncut or with control characters. Most bodies go
/// to in-memory storage that counts every write; a bounded share also go to Azurite, whose queue and table are read
/// back and compared. The seed is fixed and printed; <c>INTAKE_FUZZ_ITERATIONS</c> and <c>INTAKE_FUZZ_SEED</c> run
/// longer or replay a failure (README, Tests).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IntakeFuzzIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string DefaultSeed = "0N0XIzNsQ0O2";
    private const int DefaultIterations = 20_000;

    /// <summary>One body in this many also goes to Azurite (and at most 2^8 alerts there: each is a table row).</summary>
    private const int AzuriteShare = 80;

    // A decision's reason is cut at 2048 characters and its fingerprints at 32; nothing else comes close.
    private const int MaxLogValue = 4096;
    private const int MaxLogMessage = 8192;

    private static string Seed => Environment.GetEnvironmentVariable("INTAKE_FUZZ_SEED") is { Length: > 0 } seed ? seed : DefaultSeed;

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("INTAKE_FUZZ_ITERATIONS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultIterations;

    /// <summary>
    /// Runs <paramref name="assert"/> on <paramref name="iterations"/> bodies drawn from one PCG seeded with
    /// <see cref="Seed"/>: the same bodies on every run (CsCheck's own SampleAsync fixes only the first iteration's seed,
    /// so CI would fuzz different bodies each time). A failure names the body's index and prints it.
    /// </summary>
    private static async Task SampleFixedAsync<T>(Gen<T> gen, int iterations, Func<T, Task> assert)
    {
        var pcg = PCG.Parse(Seed);
        for (var i = 0; i < iterations; i++)
        {
            var body = gen.Generate(pcg, null, out _);
            try
            {
                await assert(body);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"body {i} of seed {Seed} failed: {ex.Message}{Environment.NewLine}{body}", ex);
            }
        }
    }

    [Fact]
    public async Task Every_fuzzed_body_is_answered_cleanly_and_a_202_stored_exactly_what_it_reports()
    {
        using var intake = FuzzIntake.InMemory();
        var figures = new Figures();
        output.WriteLine($"seed {Seed}, {Iterations} bodies from {FuzzedWebhooks.Seeds.Count} reference and test webhooks (INTAKE_FUZZ_SEED, INTAKE_FUZZ_ITERATIONS)");

        await SampleFixedAsync(FuzzedWebhooks.Body(maxAlertsExponent: 11), Iterations,
            async body =>
            {
                var outcome = await intake.PostAsync(body);
                Verify(outcome);
                figures.Add(outcome);
            });

        output.WriteLine(figures.ToString());
        Assert.True(figures.Accepted > Iterations / 10, figures.ToString());
        Assert.True(figures.Commands > Iterations / 20, figures.ToString());
    }

    [Fact]
    public async Task On_Azurite_a_202_enqueued_and_recorded_exactly_what_it_reports_and_a_4xx_nothing()
    {
        using var oracle = FuzzIntake.InMemory();
        var figures = new Figures();
        var iterations = Math.Max(50, Iterations / AzuriteShare);
        output.WriteLine($"seed {Seed}, {iterations} bodies on Azurite");

        await SampleFixedAsync(FuzzedWebhooks.Body(maxAlertsExponent: 8), iterations,
            async body =>
            {
                var expected = await oracle.PostAsync(body);
                Verify(expected);
                var queueName = AzuriteFixture.NewQueueName();
                var tableName = AzuriteFixture.NewTableName();
                using var intake = FuzzIntake.OnStorage(azurite.ConnectionString, queueName, tableName);

                var outcome = await intake.PostAsync(body);

                var onQueue = await CommandsOnQueueAsync(queueName);
                var inTable = await RowsAsync(tableName);
                // A resolved alert listed twice is one row: the table is compared with the distinct rows the oracle recorded.
                Verify(outcome with { Enqueued = onQueue, Recorded = expected.Recorded });
                Assert.Equal(expected.Status, outcome.Status);
                Assert.Equal(expected.Response, outcome.Response);
                Assert.Equal(expected.Recorded.ToHashSet().Order(StringComparer.Ordinal), inTable.Order(StringComparer.Ordinal));
                figures.Add(outcome with { Enqueued = onQueue, Recorded = inTable });
            });

        output.WriteLine(figures.ToString());
        Assert.True(figures.Commands > 0 && figures.Resolved > 0, figures.ToString());
    }

    /// <summary>The properties every answer has while storage is up.</summary>
    private static void Verify(Outcome outcome)
    {
        if (outcome.Exception is not null)
        {
            Assert.Fail($"the handler threw: {outcome.Exception}");
        }

        if (outcome.Status is not (202 or 400 or 413))
        {
            Assert.Fail($"answered {outcome.Status}: {outcome.Response}");
        }

        var response = JsonNode.Parse(outcome.Response)!;
        foreach (var text in Strings(response))
        {
            AssertClean("the response", text, MaxLogValue);
        }

        if (outcome.Status == 202)
        {
            var reported = response["commands"]!.AsArray().Select(c => (string)c!["idempotencyKey"]!).Order(StringComparer.Ordinal);
            Assert.Equal(reported, outcome.Enqueued.Order(StringComparer.Ordinal));
            Assert.Empty(response["failed"]!.AsArray());
            var resolved = response["ignored"]!.AsArray().Count(a => ((string)a!["reason"]!).StartsWith("resolved", StringComparison.Ordinal));
            Assert.Equal(resolved, outcome.Recorded.Count);
        }
        else
        {
            Assert.Empty(outcome.Enqueued);
            Assert.Empty(outcome.Recorded);
        }

        foreach (var entry in outcome.Logs)
        {
            if (entry.Level >= LogLevel.Error || entry.Exception is not null)
            {
                Assert.Fail($"logged {entry.Level} {entry.EventId}: {entry.Message} {entry.Exception}");
            }

            AssertClean($"log event {entry.EventId}", entry.Message, MaxLogMessage);
            foreach (var (name, value) in entry.Values)
            {
                AssertClean($"log value {name} of event {entry.EventId}", value ?? "", MaxLogValue);
            }
        }
    }

    /// <summary>No control or format character, no lone surrogate, bounded: what Excerpt and DecisionLog promise.</summary>
    private static void AssertClean(string where, string text, int maxLength)
    {
        if (text.Length > maxLength)
        {
            Assert.Fail($"{where} is {text.Length} characters: {text[..200]}…");
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                i++;
                continue;
            }

            if (char.GetUnicodeCategory(text[i]) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
            {
                Assert.Fail($"{where} has U+{(int)text[i]:X4} at {i}: {text}");
            }
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value).Prepend(p.Key)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    private async Task<IReadOnlyList<string>> CommandsOnQueueAsync(string queueName)
    {
        var queue = azurite.RawQueue(queueName);
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        var keys = new List<string>();
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                Assert.InRange(message.MessageText.Length, 1, ScaleCommandCodec.MaxMessageBytes);
                keys.Add(ScaleCommandCodec.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText))).IdempotencyKey);
            }
        }

        return keys;
    }

    private async Task<IReadOnlyList<string>> RowsAsync(string tableName)
    {
        var rows = new List<string>();
        try
        {
            await foreach (var entity in azurite.Table(tableName).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                rows.Add($"{entity.PartitionKey}/{entity.RowKey}");
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never created: nothing was recorded.
        }

        return rows;
    }

    /// <summary>What one post did: status, response, the commands enqueued (keys), the resolutions recorded, the log.</summary>
    private sealed record Outcome(int Status, string Response, Exception? Exception, IReadOnlyList<string> Enqueued, IReadOnlyList<string> Recorded, IReadOnlyList<LogEntry> Logs)
    {
        public int Bytes { get; init; }
    }

    /// <summary>The run's figures, printed: answers by status, commands and resolutions stored, the largest body.</summary>
    private sealed class Figures
    {
        private readonly SortedDictionary<int, int> statuses = [];

        public int Accepted => statuses.GetValueOrDefault(202);

        public int Commands { get; private set; }

        public int Resolved { get; private set; }

        private int logLines;
        private int largest;

        public void Add(Outcome outcome)
        {
            statuses[outcome.Status] = statuses.GetValueOrDefault(outcome.Status) + 1;
            Commands += outcome.Enqueued.Count;
            Resolved += outcome.Recorded.Count;
            logLines += outcome.Logs.Count;
            largest = Math.Max(largest, outcome.Bytes);
        }

        public override string ToString() =>
            $"answers {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}; {Commands} commands enqueued, {Resolved} resolved alerts recorded, " +
            $"{logLines} log lines checked, largest body {largest} bytes";
    }

    /// <summary>The intake as the app registers it, with its storage in memory (every write counted) or on Azurite.</summary>
    private sealed class FuzzIntake : IDisposable
    {
        private readonly ServiceProvider provider;
        private readonly CountingQueue? queue;
        private readonly CountingResolutions? resolutions;
        private readonly LogRecorder logs = new();

        private FuzzIntake(string connectionString, string queueName, string tableName, bool inMemory)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = connectionString,
                ["ScaleCommandQueue"] = queueName,
                ["Intake:ResolutionsTable"] = tableName,
                ["Auth:FunctionKey"] = TestCredentials.FunctionKey,
                ["Auth:BearerToken"] = TestCredentials.BearerToken,
                ["Clusters:0:Namespace"] = "kafka",
                ["Clusters:0:Name"] = "kafka",
            }).Build();
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
            services.AddSingleton<TimeProvider>(new FixedTime(FuzzedWebhooks.Now));
            if (inMemory)
            {
                queue = new CountingQueue();
                resolutions = new CountingResolutions();
                services.AddSingleton<ICommandQueue>(queue);
                services.AddSingleton<IAlertResolutions>(resolutions);
            }

            services.AddScaleFunctions(configuration);
            provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        }

        public static FuzzIntake InMemory() => new("UseDevelopmentStorage=true", "scale-commands", "resolvedalerts", inMemory: true);

        public static FuzzIntake OnStorage(string connectionString, string queueName, string tableName) => new(connectionString, queueName, tableName, inMemory: false);

        public async Task<Outcome> PostAsync(FuzzedBody body)
        {
            queue?.Clear();
            resolutions?.Clear();
            logs.TakeAll();
            var headers = body.PushRoute
                ? new Dictionary<string, string> { ["Authorization"] = $"Bearer {TestCredentials.BearerToken}" }
                : new Dictionary<string, string> { [ScaleFunctions.Intake.WebhookAuthenticator.FunctionKeyHeader] = TestCredentials.FunctionKey };
            var request = new WebhookRequest("application/json", body.Bytes.Length, name => headers.GetValueOrDefault(name), _ => null, new MemoryStream(body.Bytes))
            {
                RequiresAppCredential = body.PushRoute,
            };
            WebhookResponse? response = null;
            Exception? exception = null;
            try
            {
                response = await provider.GetRequiredService<AlertWebhookHandler>().HandleAsync(request, CancellationToken.None);
            }
            catch (Exception ex)
            {
                exception = ex;
            }

            return new Outcome(response?.StatusCode ?? 0, response?.JsonBody ?? "{}", exception, queue?.Keys ?? [], resolutions?.Rows ?? [], logs.TakeAll())
            {
                Bytes = body.Bytes.Length,
            };
        }

        public void Dispose() => provider.Dispose();
    }

    /// <summary>A queue that takes what Azure Storage takes (one encoded message of at most 64 KiB) and counts it.</summary>
    private sealed class CountingQueue : ICommandQueue
    {
        private ConcurrentQueue<string> keys = new();

        public IReadOnlyList<string> Keys => [.. keys];

        public void Clear() => keys = new();

        public Task EnqueueAsync(ScaleCommand command, TimeSpan? visibilityDelay, CancellationToken cancellationToken)
        {
            Assert.InRange(ScaleCommandCodec.EncodedLength(command), 1, ScaleCommandCodec.MaxMessageBytes);
            keys.Enqueue(ScaleCommandCodec.Deserialize(ScaleCommandCodec.Serialize(command)).IdempotencyKey);
            return Task.CompletedTask;
        }
    }

    /// <summary>Resolutions as the table would key them (partition/row), every one recorded counted.</summary>
    private sealed class CountingResolutions : IAlertResolutions
    {
        private ConcurrentQueue<string> rows = new();

        public IReadOnlyList<string> Rows => [.. rows];

        public void Clear() => rows = new();

        public Task RecordAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken)
        {
            foreach (var alert in alerts)
            {
                rows.Enqueue($"{TableAlertResolutions.PartitionKey(cluster)}/{alert.Key}");
            }

            return Task.CompletedTask;
        }

        public Task<bool> AreAllResolvedAsync(ClusterRef cluster, IReadOnlyCollection<AlertRef> alerts, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
