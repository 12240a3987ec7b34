using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Azure.Storage.Queues;
using k8s;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Queues;
using Microsoft.Azure.WebJobs.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.LocalHost;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.Kubernetes;
using ScaleFunctions.Testing.Logging;

// IDistributedLockManager (the SDK's blob-lease singleton) is marked "not ready for public consumption"; the tests
// only try the timer's lease from "another instance", as a second host would.
#pragma warning disable CS0618

namespace ScaleFunctions.Tests.LocalHost;

/// <summary>
/// What the local host adds to the WebJobs SDK's queue and timer triggers, on a real Azurite: host.json's
/// <c>extensions.queues</c> as the SDK's queue options, the Functions host's disable switches, the adapters that hand
/// a message or a tick to the domain handlers, start-up refusal of a schedule the SDK cannot index, the timer's
/// singleton lease and past-due run, and storage started before the triggers. Tests await the SDK's own signals
/// (a settled message, a check run), never a clock.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostTriggersIntegrationTest(AzuriteFixture azurite)
{
    private const string TimerFullName = "ScaleFunctions.LocalHost.RebalanceCheckFunction.Run";

    private readonly string queueName = AzuriteFixture.NewQueueName();

    private QueueClient Queue(string name, QueueMessageEncoding encoding = QueueMessageEncoding.Base64) =>
        new(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = encoding });

    private async Task SendAsync(string text, QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var queue = Queue(queueName, encoding);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(text);
    }

    private Dictionary<string, string?> Settings() => LocalHostServer.Settings(azurite.ConnectionString, queueName);

    private static Dictionary<string, string?> TimerOn(Dictionary<string, string?> settings)
    {
        settings["AzureWebJobs.rebalance-check.Disabled"] = "false";
        return settings;
    }

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> Observe(QueueSettlements settlements, LogRecorder? logs = null) =>
        builder =>
        {
            builder.Services.AddSingleton<IQueueProcessorFactory>(settlements);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        };

    /// <summary>An <see cref="IRebalanceCheck"/> that reports each run, so tests await the timer instead of a clock.</summary>
    private sealed class RecordingCheck : IRebalanceCheck
    {
        private readonly Channel<bool> runs = Channel.CreateUnbounded<bool>();

        public Task RunAsync(CancellationToken cancellationToken)
        {
            runs.Writer.TryWrite(true);
            return Task.CompletedTask;
        }

        public async Task RanAsync()
        {
            using var timeout = new CancellationTokenSource(Eventually.DefaultDeadline);
            await runs.Reader.ReadAsync(timeout.Token);
        }
    }

    private static Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> WithCheck(IRebalanceCheck check) =>
        builder =>
        {
            builder.Services.RemoveAll<IRebalanceCheck>();
            builder.Services.AddSingleton(check);
        };

    [Fact]
    public void Host_json_queue_settings_become_the_sdks_queue_options()
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(ReferenceFiles.InRepository("host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        var app = LocalHostApp.Build([], builder => builder.Configuration["AzureWebJobsStorage"] = azurite.ConnectionString, useLocalSettings: false);

        var options = app.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;

        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), options.NewBatchThreshold);
        Assert.Equal(TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, CultureInfo.InvariantCulture), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, CultureInfo.InvariantCulture), options.VisibilityTimeout);
        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(queues.GetProperty("messageEncoding").GetString(), options.MessageEncoding.ToString(), ignoreCase: true);
    }

    [Fact]
    public void An_app_setting_overrides_host_json_as_on_the_functions_host()
    {
        var app = LocalHostApp.Build([], builder =>
        {
            builder.Configuration["AzureWebJobsStorage"] = azurite.ConnectionString;
            builder.Configuration["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2";
        }, useLocalSettings: false);

        Assert.Equal(2, app.Services.GetRequiredService<IOptions<QueuesOptions>>().Value.MaxDequeueCount);
    }

    [Fact]
    public void Storage_starts_before_the_triggers()
    {
        var app = LocalHostApp.Build([], builder => builder.Configuration["AzureWebJobsStorage"] = azurite.ConnectionString, useLocalSettings: false);

        var started = app.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();

        var storage = started.IndexOf(typeof(EmbeddedAzurite));
        Assert.True(storage >= 0 && storage < started.IndexOf(typeof(JobHostService)), string.Join(", ", started.Select(t => t.Name)));
    }

    [Fact]
    public async Task A_queued_command_reaches_the_handler_with_its_dequeue_count_and_is_deleted_when_handled()
    {
        var handler = new ScriptedCommandHandler((_, _) => Task.CompletedTask);
        var settlements = new QueueSettlements();
        await SendAsync("{\"command\":1}");
        await using var host = await LocalHostServer.StartAsync(Settings(), Observe(settlements), handler);

        var (text, context) = await handler.NextCallAsync();
        var settled = await settlements.NextAsync();

        Assert.Equal("{\"command\":1}", text);
        Assert.Equal(1, context.DequeueCount);
        Assert.True(settled.Succeeded);
        Assert.Empty((await Queue(queueName).PeekMessagesAsync()).Value);
    }

    [Fact]
    public async Task Reads_messages_in_the_encoding_host_json_names()
    {
        var handler = new ScriptedCommandHandler((_, _) => Task.CompletedTask);
        var settings = Settings();
        settings["AzureFunctionsJobHost:extensions:queues:messageEncoding"] = "none";
        await SendAsync("plain {\"command\":1}", QueueMessageEncoding.None);
        await using var host = await LocalHostServer.StartAsync(settings, commandHandler: handler);

        var (text, _) = await handler.NextCallAsync();

        Assert.Equal("plain {\"command\":1}", text);
    }

    [Fact]
    public async Task A_command_that_keeps_failing_is_logged_RetriesExhausted_on_its_last_delivery_and_moved_to_the_poison_queue()
    {
        await using var api = new KubernetesApiDouble();
        api.SeedKafkaCluster();
        await api.StartAsync();
        api.Faults.Fail(500, "InternalError", "GET", times: int.MaxValue);
        var settlements = new QueueSettlements();
        var logs = new LogRecorder();
        var settings = Settings();
        settings["Clusters:0:MinBrokers"] = "3";
        settings["Clusters:0:MaxBrokers"] = "6";
        settings["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2";
        settings["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00";
        await using var host = await LocalHostServer.StartAsync(settings, builder =>
        {
            Observe(settlements, logs)(builder);
            builder.Services.RemoveAll<IKubernetes>();
            builder.Services.AddSingleton<IKubernetes>(_ => api.CreateClient());
        }, appExecutor: true);
        var webhook = await File.ReadAllTextAsync(ReferenceFiles.InRepository(Path.Combine("docs", "examples", "upscale-webhook.json")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts") { Content = new StringContent(webhook, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-functions-key", TestCredentials.FunctionKey);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var first = await settlements.NextAsync();
        var last = await settlements.NextAsync();

        Assert.Equal((1L, false, false), (first.DequeueCount, first.Succeeded, first.Poisoned));
        Assert.Equal((2L, false, true), (last.DequeueCount, last.Succeeded, last.Poisoned));
        Assert.Equal(first.MessageId, last.MessageId);
        var poisoned = Assert.Single((await Queue($"{queueName}-poison").PeekMessagesAsync()).Value);
        Assert.Equal(last.Text, poisoned.Body.ToString());
        Assert.Empty((await Queue(queueName).PeekMessagesAsync()).Value);
        var decision = Assert.Single(logs.Entries, e => e.EventId == DecisionLog.DecisionEvent && e["Stage"] == ScaleExecutor.Stage);
        Assert.Equal("Refused", decision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.RetriesExhausted}: delivery 2 of 2", decision["Reason"], StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
    }

    [Fact]
    public async Task Storage_the_queue_trigger_cannot_reach_stops_the_host_with_a_critical_log_instead_of_killing_the_process()
    {
        var logs = new LogRecorder();
        var settings = LocalHostServer.Settings(AzuriteProcess.ConnectionStringFor(ClosedPort.Next(), ClosedPort.Next(), ClosedPort.Next()), queueName);
        var handler = new ScriptedCommandHandler((_, _) => Task.CompletedTask);
        await using var host = await LocalHostServer.StartAsync(settings, builder => builder.Logging.AddProvider(logs), handler);
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stopping.SetResult);

        // The queue client retries a refused connection with back-off (about half a minute) before the listener gives up.
        await stopping.Task.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Critical && e.Category == typeof(StopOnUnhandledException).FullName);
        Assert.Empty(handler.History);
    }

    [Theory]
    [InlineData("AzureWebJobs.scale-commands.Disabled")]
    [InlineData("AzureWebJobs_scale-commands_Disabled")]
    public async Task Either_spelling_of_the_functions_host_switch_keeps_the_queue_function_from_listening(string setting)
    {
        var handler = new ScriptedCommandHandler((_, _) => Task.CompletedTask);
        var logs = new LogRecorder();
        var settings = Settings();
        settings[setting] = "true";
        await SendAsync("left alone");
        await using var host = await LocalHostServer.StartAsync(settings, builder => builder.Logging.AddProvider(logs), handler);
        await host.StopAsync();

        Assert.Contains(logs.Entries, e => e.Message == "Function 'scale-commands' is disabled");
        Assert.Empty(handler.History);
        var message = Assert.Single((await Queue(queueName).PeekMessagesAsync()).Value);
        Assert.Equal(("left alone", 0L), (message.Body.ToString(), message.DequeueCount));
    }

    [Theory]
    [InlineData("AzureWebJobs.rebalance-check.Disabled")]
    [InlineData("AzureWebJobs_rebalance-check_Disabled")]
    public async Task Either_spelling_of_the_functions_host_switch_turns_the_timer_off(string setting)
    {
        var logs = new LogRecorder();
        var settings = Settings();
        settings.Remove("AzureWebJobs.rebalance-check.Disabled");
        settings[setting] = "true";
        await using var host = await LocalHostServer.StartAsync(settings, builder => builder.Logging.AddProvider(logs));

        var locks = host.Services.GetRequiredService<IDistributedLockManager>();
        var timerLock = await locks.TryLockAsync(null, $"{host.HostId}/{TimerFullName}.Listener", "another-instance", null, TimeSpan.FromSeconds(15), CancellationToken.None);

        Assert.Contains(logs.Entries, e => e.Message == "Function 'rebalance-check' is disabled");
        Assert.NotNull(timerLock);
        await locks.ReleaseLockAsync(timerLock, CancellationToken.None);
    }

    [Fact]
    public async Task The_timer_holds_the_singleton_lease_while_it_runs_and_gives_it_up_on_stop()
    {
        await using var host = await LocalHostServer.StartAsync(TimerOn(Settings()), WithCheck(new RecordingCheck()));
        var locks = host.Services.GetRequiredService<IDistributedLockManager>();
        var lockId = $"{host.HostId}/{TimerFullName}.Listener";

        var whileRunning = await locks.TryLockAsync(null, lockId, "another-instance", null, TimeSpan.FromSeconds(15), CancellationToken.None);
        await host.StopAsync();
        var afterStop = await locks.TryLockAsync(null, lockId, "another-instance", null, TimeSpan.FromSeconds(15), CancellationToken.None);

        Assert.Null(whileRunning);
        Assert.NotNull(afterStop);
        await locks.ReleaseLockAsync(afterStop, CancellationToken.None);
    }

    [Fact]
    public async Task A_missed_occurrence_runs_at_start_as_past_due_and_the_status_moves_on()
    {
        const string schedule = "0 */5 * * * *";
        var cron = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        var last = cron.GetNextOccurrence(DateTime.Now.AddHours(-2));
        var missed = cron.GetNextOccurrence(last);
        var check = new RecordingCheck();
        var settings = TimerOn(Settings());
        settings["RebalanceSchedule"] = schedule;
        ScheduleMonitor? monitor = null;

        await using var host = await LocalHostServer.StartAsync(settings, WithCheck(check), beforeStart: async services =>
        {
            // What a run two hours ago left in storage: its next occurrence passed while no host ran.
            await Microsoft.WindowsAzure.Storage.CloudStorageAccount.Parse(azurite.ConnectionString).CreateCloudBlobClient()
                .GetContainerReference("azure-webjobs-hosts").CreateIfNotExistsAsync();
            monitor = services.GetRequiredService<ScheduleMonitor>();
            await monitor.UpdateStatusAsync(TimerFullName, new ScheduleStatus { Last = last, Next = missed, LastUpdated = last });
        });
        await check.RanAsync();
        await host.StopAsync();

        var status = await monitor!.GetStatusAsync(TimerFullName);
        Assert.True(status.Last > missed, $"Last {status.Last:o} should be the past-due run, after the missed {missed:o}");
        Assert.True(status.Next > status.Last);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("every five minutes")]
    public async Task A_missing_or_invalid_schedule_stops_the_start_as_the_functions_host_refuses_to_index(string? schedule)
    {
        var settings = TimerOn(Settings());
        if (schedule is null)
        {
            settings.Remove("RebalanceSchedule");
        }
        else
        {
            settings["RebalanceSchedule"] = schedule;
        }

        var logs = new LogRecorder();
        var check = new RecordingCheck();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalHostServer.StartAsync(settings, builder =>
        {
            WithCheck(check)(builder);
            builder.Logging.AddProvider(logs);
        }));

        Assert.Contains("could not index 'rebalance-check'", error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Exception?.Contains("Error indexing method 'rebalance-check'", StringComparison.Ordinal) == true);
    }
}
