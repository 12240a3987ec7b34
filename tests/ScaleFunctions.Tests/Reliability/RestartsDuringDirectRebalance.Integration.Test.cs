using System.Diagnostics;
using System.Text.RegularExpressions;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;
using Xunit.Abstractions;
using LocalHostProcess = ScaleFunctions.Tests.LocalHost.LocalHostProcessIntegrationTest.LocalHostProcess;

namespace ScaleFunctions.Tests.Reliability;

/// <summary>
/// The direct path (<c>ExecuteVia=Direct</c>: the app's own <c>POST rebalance</c>, no resource to keep state on) of
/// <see cref="RestartsDuringRebalanceIntegrationTest"/>: the local host as its own process, killed (SIGKILL) while it
/// follows the execution it started, then started again, then stopped and started once more. Cruise Control is the
/// double with its user tasks and executor (<see cref="CruiseControlExecutions"/>): the execution runs until the test
/// ends it, and a second one would be refused. After the restart nothing is done twice (no second execution request)
/// and nothing is lost (the result is logged once, by the restarted app, which recovered the task from Cruise
/// Control's executor state); the second restart logs nothing again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class RestartsDuringDirectRebalanceIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private const string Service = "kafka-cruisecontrol-svc";
    private const int ChecksAfterResult = 1;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly string kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(kubeconfig);

    [Fact]
    public async Task Killed_while_following_a_direct_rebalance_the_restarted_app_sends_no_second_one_and_logs_its_result_once()
    {
        await using var cruiseControl = await CruiseControlDouble.StartAsync();
        var executions = new CruiseControlExecutions();
        cruiseControl.Executions = executions;
        await using var api = new KubernetesApiDouble()
            .WithServiceProxy("kafka", Service, 8090, cruiseControl)
            .WithCruiseControlOperationCrd();
        api.SeedKafkaCluster();
        await api.StartAsync();
        await WriteKubeconfigAsync(api);
        var settings = Settings();
        var clock = Stopwatch.StartNew();

        string taskId;
        List<Logged> before;
        TimeSpan killedAt, firstCheckAfter;
        using (var first = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            var acted = await first.LineAsync(l => Decision(l) is { Outcome: "Acted" }).WaitAsync(Generous);
            taskId = StartedTask().Match(acted).Groups["id"].Value;
            Assert.Equal(taskId, executions.Running); // Cruise Control executes it until the test ends it

            // The app follows it (user_tasks for its id); the kill comes while it does.
            var looks = LooksAt(cruiseControl, taskId);
            await Eventually.UntilAsync(() => Task.FromResult(LooksAt(cruiseControl, taskId) >= looks + 2), "a look at the running user task", Generous);
            first.Signal("KILL");
            killedAt = clock.Elapsed;
            await first.Process.WaitForExitAsync().WaitAsync(Generous);
            before = Decisions(first.Output);
            Assert.DoesNotContain(first.Output, l => Result(l) is not null);
        }

        List<Logged> after;
        List<string> results;
        int runs;
        using (var second = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            // The first check after the restart (once the killed process's timer lease ran out) finds it running.
            await second.LineAsync(l => Decision(l) is not null).WaitAsync(Generous);
            firstCheckAfter = clock.Elapsed;
            executions.Finish();
            cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing); // it balanced the cluster

            await second.LineAsync(l => Result(l) is not null).WaitAsync(Generous);
            (after, results, runs) = await CompletedRunsAsync(second, Decisions(second.Output).Count + ChecksAfterResult + 1);
        }

        // A second restart (a clean stop released the lease, so it checks at once): the task is still in Cruise
        // Control's user_tasks, Completed, and is not logged again.
        List<Logged> again;
        List<string> resultsAgain;
        using (var third = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            (again, resultsAgain, _) = await CompletedRunsAsync(third, 1); // a result would be logged at the start of the first check
        }

        var requested = cruiseControl.Requests.Count(r => r.StartsExecution);
        output.WriteLine($"user task {taskId}");
        output.WriteLine($"before the kill: {string.Join(", ", before)}");
        output.WriteLine($"after the restart ({runs} checks): {string.Join(", ", after)}");
        output.WriteLine($"after the second restart: {string.Join(", ", again)}");
        output.WriteLine($"result: {string.Join(" | ", results)}");
        output.WriteLine($"execution requests {requested}; executions started {executions.Started.Count}; looks at the task {LooksAt(cruiseControl, taskId)}; kill to the first check after the restart {(firstCheckAfter - killedAt).TotalSeconds:0.0} s (the timer's lease); {clock.Elapsed.TotalSeconds:0.0} s in all");

        Assert.Equal(["Acted"], before.Select(d => d.Outcome).Distinct());
        Assert.Single(before);
        Assert.Equal(1, requested); // exactly one POST rebalance?dryrun=false ever
        Assert.Single(executions.Started);
        Assert.DoesNotContain(api.Requests, r => r.Method == "POST" && r.Path.EndsWith("/cruisecontroloperations", StringComparison.Ordinal));
        Assert.Equal("Deferred", after[0].Outcome); // running: the restarted app skipped the cluster
        Assert.Contains($"user task {taskId}", after[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(after.Concat(again), d => d.Outcome == "Acted");
        var logged = Assert.Single(results); // once, by the restarted app
        Assert.Equal(($"user task {taskId}", "Completed: 31 replica and 12 leadership moves, 0 MB"), Result(logged));
        Assert.Empty(resultsAgain);
        Assert.True(after.Count(d => d.Outcome == "Ignored") >= ChecksAfterResult + 1, "the checks from the result on find the cluster balanced");
    }

    /// <summary>Waits for <paramref name="count"/> completed timer runs, stops the process cleanly (releasing the timer's lease) and returns what the completed runs logged.</summary>
    private static async Task<(List<Logged> Decisions, List<string> Results, int Runs)> CompletedRunsAsync(LocalHostProcess process, int count)
    {
        await Eventually.UntilAsync(() => Task.FromResult(process.Output.Count(IsCompletedRun) >= count), $"{count} completed checks", Generous);
        var snapshot = process.Output.ToList();
        var lines = snapshot.Take(snapshot.FindLastIndex(IsCompletedRun) + 1).ToList();
        process.Signal("TERM");
        await process.Process.WaitForExitAsync().WaitAsync(Generous);
        var runs = lines.Count(IsCompletedRun);
        Assert.Equal(runs, OneDecisionPerCheck(lines));
        return (Decisions(lines), [.. process.Output.Where(l => Result(l) is not null)], runs);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = RestartsDuringRebalanceIntegrationTest.Settings(azurite, kubeconfig);
        settings["Clusters:0:CruiseControl:ExecuteVia"] = "Direct";
        return settings;
    }

    private Task WriteKubeconfigAsync(KubernetesApiDouble api) => api.WriteKubeconfigAsync(kubeconfig, "restart-direct-rebalance-token");

    /// <summary>The follow's reads of the task (<c>user_tasks?user_task_ids=…</c>).</summary>
    private static int LooksAt(CruiseControlDouble cruiseControl, string taskId) =>
        cruiseControl.RequestsTo("user_tasks").Count(r => r.Param("user_task_ids") == taskId);

    /// <summary>Asserts exactly one decision for the cluster between the start and the end of each timer run; the number of runs.</summary>
    private static int OneDecisionPerCheck(IReadOnlyList<string> lines)
    {
        var perRun = new List<int>();
        int? current = null;
        foreach (var line in lines)
        {
            if (line.Contains("Executing 'rebalance-check'", StringComparison.Ordinal))
            {
                Assert.Null(current); // runs never overlap
                current = 0;
            }
            else if (Decision(line) is not null)
            {
                Assert.NotNull(current);
                current++;
            }
            else if (line.Contains("Executed 'rebalance-check'", StringComparison.Ordinal))
            {
                perRun.Add(current!.Value);
                current = null;
            }
        }

        Assert.Null(current); // no decision outside a run
        Assert.All(perRun, count => Assert.Equal(1, count));
        return perRun.Count;
    }

    private static bool IsCompletedRun(string line) => line.Contains("Executed 'rebalance-check' (Succeeded", StringComparison.Ordinal);

    private sealed record Logged(string Outcome, string Reason)
    {
        public override string ToString() => $"{Outcome} ({Reason[..Math.Min(Reason.Length, 80)]})";
    }

    private static List<Logged> Decisions(IEnumerable<string> lines) => [.. lines.Select(Decision).OfType<Logged>()];

    private static Logged? Decision(string line) =>
        DecisionLine().Match(line) is { Success: true } m ? new Logged(m.Groups["outcome"].Value, m.Groups["reason"].Value) : null;

    private static (string Execution, string Result)? Result(string line) =>
        ResultLine().Match(line) is { Success: true } m ? (m.Groups["execution"].Value, m.Groups["result"].Value) : null;

    [GeneratedRegex(@"Decision rebalance (?<outcome>\w+) \w*: cluster kafka/kafka, command rebalance, fingerprints , key : (?<reason>.*)$")]
    private static partial Regex DecisionLine();

    [GeneratedRegex(@"Rebalance of cluster kafka/kafka \((?<execution>[^)]+)\) finished: (?<result>.*)$")]
    private static partial Regex ResultLine();

    [GeneratedRegex(@"via Direct \(user task (?<id>[0-9a-f-]+)\)")]
    private static partial Regex StartedTask();
}
