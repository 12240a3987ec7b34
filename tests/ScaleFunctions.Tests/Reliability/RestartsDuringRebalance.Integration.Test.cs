using System.Diagnostics;
using System.Text.RegularExpressions;
using ScaleFunctions.Rebalance;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;
using Xunit.Abstractions;
using LocalHostProcess = ScaleFunctions.Tests.LocalHost.LocalHostProcessIntegrationTest.LocalHostProcess;

namespace ScaleFunctions.Tests.Reliability;

/// <summary>
/// The local host as <c>npm start</c> runs it, with the rebalance timer on (every 2 s), killed (SIGKILL) while it
/// follows a rebalance it started through Koperator (a CruiseControlOperation, the state kept on a resource), then
/// started again: after the restart nothing is lost (the finished rebalance's result is logged once) and nothing is
/// done twice (no second operation, no direct execution). The test plays Koperator: it moves the operation's task and
/// Cruise Control's executor state the way Koperator's controller and Cruise Control would.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class RestartsDuringRebalanceIntegrationTest(AzuriteFixture azurite, ITestOutputHelper output) : IDisposable
{
    private const string Service = "kafka-cruisecontrol-svc";
    private const string OperationsPath = "/apis/kafka.banzaicloud.io/v1alpha1/namespaces/kafka/cruisecontroloperations";
    private const int ChecksAfterResult = 2;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly string kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(kubeconfig);

    [Theory]
    [InlineData(false)] // the restarted app finds the rebalance still running, and Koperator finishes later (the stronger case: no lock left, only what it reads holds it back; finishing while no app runs adds 30 s and nothing new)
    public async Task Killed_while_following_a_rebalance_the_restarted_app_starts_no_second_one_and_logs_its_result_once(bool finishesWhileDown)
    {
        await using var cruiseControl = await CruiseControlDouble.StartAsync();
        await using var api = new KubernetesApiDouble()
            .WithServiceProxy("kafka", Service, 8090, cruiseControl)
            .WithCruiseControlOperationCrd();
        api.SeedKafkaCluster();
        await api.StartAsync();
        await WriteKubeconfigAsync(api);
        var settings = Settings(azurite, kubeconfig);
        var clock = Stopwatch.StartNew();

        string name;
        List<Logged> before;
        TimeSpan killedAt, firstCheckAfter;
        using (var first = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            var acted = await first.LineAsync(l => Decision(l) is { Outcome: "Acted" }).WaitAsync(Generous);
            name = StartedOperation().Match(acted).Groups["name"].Value;

            // Koperator picks the operation up and Cruise Control executes it; the app keeps looking at it (following).
            api.SetCruiseControlTask(name, "rebalance", "InExecution");
            cruiseControl.SetDefault("state", CruiseControlReply.StateExecuting);
            var looks = LooksAt(api, name);
            await Eventually.UntilAsync(() => Task.FromResult(LooksAt(api, name) >= looks + 2), "a look at the running operation", Generous);

            first.Signal("KILL");
            killedAt = clock.Elapsed;
            await first.Process.WaitForExitAsync().WaitAsync(Generous);
            before = Decisions(first);
            Assert.DoesNotContain(first.Output, l => Result(l) is not null);
        }

        if (finishesWhileDown)
        {
            Finish(api, cruiseControl, name);
        }

        List<Logged> after;
        List<string> results;
        int runs;
        using (var second = LocalHostProcess.Start(settings, "--urls", "http://127.0.0.1:0"))
        {
            // The first check after the restart: past due, once the killed process's timer lease ran out.
            await second.LineAsync(l => Decision(l) is not null).WaitAsync(Generous);
            firstCheckAfter = clock.Elapsed;
            if (!finishesWhileDown)
            {
                // That check found it running: the restarted app has no lock and no memory of it, only what it read.
                Finish(api, cruiseControl, name);
            }

            await second.LineAsync(l => Result(l) is not null).WaitAsync(Generous);
            var afterResult = Decisions(second).Count + ChecksAfterResult + 1; // the check that logged it decides too
            await Eventually.UntilAsync(() => Task.FromResult(Completed(second) >= afterResult), $"{afterResult} completed checks", Generous);

            // What the completed runs logged (a run the stop interrupts is not counted).
            var snapshot = second.Output.ToList();
            var lines = snapshot.Take(snapshot.FindLastIndex(IsCompletedRun) + 1).ToList();
            second.Signal("TERM"); // a clean stop releases the timer's lease for the next test
            await second.Process.WaitForExitAsync().WaitAsync(Generous);
            after = [.. lines.Select(Decision).OfType<Logged>()];
            results = [.. second.Output.Where(l => Result(l) is not null)];
            runs = lines.Count(IsCompletedRun);
            Assert.Equal(runs, OneDecisionPerCheck(lines));
        }

        var creates = api.Requests.Count(r => r.Method == "POST" && r.Path == OperationsPath);
        output.WriteLine($"finished while down: {finishesWhileDown}; operation {name}");
        output.WriteLine($"before the kill: {string.Join(", ", before)}");
        output.WriteLine($"after the restart ({runs} checks): {string.Join(", ", after)}");
        output.WriteLine($"result: {string.Join(" | ", results)}");
        output.WriteLine($"operations created {creates}; direct executions {cruiseControl.Requests.Count(r => r.StartsExecution)}; looks at the operation {LooksAt(api, name)}; kill to the first check after the restart {(firstCheckAfter - killedAt).TotalSeconds:0.0} s (the timer's lease); {clock.Elapsed.TotalSeconds:0.0} s in all");

        Assert.Equal(["Acted"], before.Select(d => d.Outcome).Distinct());
        Assert.Single(before, d => d.Outcome == "Acted");
        Assert.Equal(1, creates); // exactly one rebalance ever started
        Assert.Single(api.CruiseControlOperations());
        Assert.DoesNotContain(cruiseControl.Requests, r => r.StartsExecution);
        Assert.DoesNotContain(after, d => d.Outcome == "Acted"); // none started after the restart
        if (!finishesWhileDown)
        {
            // While it ran, the restarted app skipped the cluster.
            Assert.Equal("Deferred", after[0].Outcome);
        }

        var logged = Assert.Single(results); // logged once, after the restart
        Assert.Equal(($"CruiseControlOperation kafka/{name}", "Completed (user task 0230d401-6a36-430e-9858-fac8f2edde93)"), Result(logged));
        Assert.Equal("Completed", (string?)api.CruiseControlOperations().Single()["metadata"]!["annotations"]![CruiseControlOperations.ResultLoggedAnnotation]);
        Assert.True(after.Count(d => d.Outcome == "Ignored") >= ChecksAfterResult + 1, "the checks from the result on find the cluster balanced");
    }

    private static void Finish(KubernetesApiDouble api, CruiseControlDouble cruiseControl, string name)
    {
        // The rebalance balanced the cluster: Cruise Control is idle and its next proposal moves nothing.
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalMovingNothing);
        cruiseControl.SetDefault("state", CruiseControlReply.StateIdle);
        api.SetCruiseControlTask(name, "rebalance", "Completed");
    }

    /// <summary>The local host run as its own process with only the rebalance timer on, every 2 s; shared by the Direct-path restart test.</summary>
    internal static Dictionary<string, string?> Settings(AzuriteFixture azurite, string kubeconfig)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (name, value) in LocalHostServer.Settings(azurite.ConnectionString, AzuriteFixture.NewQueueName()))
        {
            settings[name.Replace('.', '_')] = value;
        }

        settings["AzureWebJobs_rebalance-check_Disabled"] = "false";
        settings["AzureWebJobs_scale-commands_Disabled"] = "true";
        settings["RebalanceSchedule"] = "*/2 * * * * *";
        settings["Rebalance:DryRun"] = "false";
        settings["Rebalance:FollowInterval"] = "00:00:00.200";
        settings["Rebalance:FollowPolls"] = "1000"; // followed for minutes: the kill comes while it is followed
        settings["Kubernetes:Mode"] = "KubeConfig";
        settings["Kubernetes:KubeConfigPath"] = kubeconfig;
        settings["Clusters:0:CruiseControl:Service"] = Service;

        // The killed process's timer lease (a blob lease) runs out after its period; the restarted one retries as often as the SDK allows (15 s).
        settings["AzureFunctionsJobHost:Singleton:ListenerLockPeriod"] = "00:00:15";
        settings["AzureFunctionsJobHost:Singleton:ListenerLockRecoveryPollingInterval"] = "00:00:15";
        return settings;
    }

    private Task WriteKubeconfigAsync(KubernetesApiDouble api) => api.WriteKubeconfigAsync(kubeconfig, "restart-rebalance-token");

    /// <summary>The follow's GETs of the operation (a check's own reading is a list).</summary>
    private static int LooksAt(KubernetesApiDouble api, string name) =>
        api.Requests.Count(r => r.Method == "GET" && r.Path == $"{OperationsPath}/{name}");

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

    private static int Completed(LocalHostProcess process) => process.Output.Count(IsCompletedRun);

    private sealed record Logged(string Outcome, string Reason)
    {
        public override string ToString() => $"{Outcome} ({Reason[..Math.Min(Reason.Length, 80)]})";
    }

    private static List<Logged> Decisions(LocalHostProcess process) =>
        [.. process.Output.Select(Decision).OfType<Logged>()];

    private static Logged? Decision(string line) =>
        DecisionLine().Match(line) is { Success: true } m ? new Logged(m.Groups["outcome"].Value, m.Groups["reason"].Value) : null;

    private static (string Execution, string Result)? Result(string line) =>
        ResultLine().Match(line) is { Success: true } m ? (m.Groups["execution"].Value, m.Groups["result"].Value) : null;

    [GeneratedRegex(@"Decision rebalance (?<outcome>\w+) \w*: cluster kafka/kafka, command rebalance, fingerprints , key : (?<reason>.*)$")]
    private static partial Regex DecisionLine();

    [GeneratedRegex(@"Rebalance of cluster kafka/kafka \((?<execution>[^)]+)\) finished: (?<result>.*)$")]
    private static partial Regex ResultLine();

    [GeneratedRegex(@"via Operator \(CruiseControlOperation kafka/(?<name>[\w.-]+)\)")]
    private static partial Regex StartedOperation();
}
