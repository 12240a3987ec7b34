using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Testing;
using ScaleFunctions.Testing.CruiseControl;
using ScaleFunctions.Testing.Kubernetes;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// A second opinion before removing a broker: the executor asks the Cruise Control double's <c>proposals</c> (real-schema
/// bodies with each provision status, the older body without one, the under-provisioned optimization failure, a closed
/// port) once per upScale/downScale the guards would act on, and refuses a downScale while Cruise Control says
/// UNDER_PROVISIONED when <c>CapacityOpinion</c> is Enforce.
/// </summary>
public sealed class CapacityOpinionIntegrationTest : IAsyncLifetime
{
    private CruiseControlDouble cruiseControl = null!;

    public async Task InitializeAsync() => cruiseControl = await CruiseControlDouble.StartAsync();

    public async Task DisposeAsync() => await cruiseControl.DisposeAsync();

    public static TheoryData<string, CapacityOpinionMode, ScaleCommandKind> StatusesModesCommands() => SecondOpinionTest.StatusesModesCommands();

    public static TheoryData<CapacityOpinionMode, ScaleCommandKind> ModesCommands()
    {
        var data = new TheoryData<CapacityOpinionMode, ScaleCommandKind>();
        foreach (var mode in Enum.GetValues<CapacityOpinionMode>())
        {
            data.Add(mode, ScaleCommandKind.UpScale);
            data.Add(mode, ScaleCommandKind.DownScale);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatusesModesCommands))]
    public async Task Each_provision_status_in_each_mode(string status, CapacityOpinionMode mode, ScaleCommandKind kind)
    {
        var recommendation = status switch
        {
            CapacityOpinion.UnderProvisioned => "[CpuCapacityGoal] Add at least 1 broker with the same cpu capacity (100.00) as broker-0.",
            CapacityOpinion.OverProvisioned => "[ReplicaDistributionGoal] Remove at least 1 broker.",
            _ => "",
        };
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalWithProvision(status, recommendation));
        await using var harness = await Harness(mode);

        await harness.HandleAsync(harness.Command(kind));

        var reason = harness.LastDecision["Reason"]!;
        if (mode == CapacityOpinionMode.Off)
        {
            Assert.Empty(cruiseControl.RequestsTo("proposals"));
            Assert.DoesNotContain("Cruise Control says", reason, StringComparison.Ordinal);
            Assert.Single(harness.Writes);
            return;
        }

        var asked = Assert.Single(cruiseControl.RequestsTo("proposals"));
        Assert.Equal("true", asked.Param("json"));
        Assert.Contains($"Cruise Control says the cluster is {status}", reason, StringComparison.Ordinal);
        if (recommendation.Length > 0)
        {
            Assert.Contains(recommendation, reason, StringComparison.Ordinal);
        }

        if (mode == CapacityOpinionMode.Enforce && kind == ScaleCommandKind.DownScale && status == CapacityOpinion.UnderProvisioned)
        {
            Assert.Equal("Refused", harness.LastDecision["Outcome"]);
            Assert.StartsWith(ReasonCodes.CruiseControlUnderProvisioned + ":", reason, StringComparison.Ordinal);
            Assert.Empty(harness.Writes);
            Assert.Empty(harness.Queue.Deferred);
            Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
        }
        else
        {
            Assert.Equal("Acted", harness.LastDecision["Outcome"]);
            Assert.StartsWith(ReasonCodes.Applied + ":", reason, StringComparison.Ordinal);
            Assert.Single(harness.Writes);
        }
    }

    [Theory]
    [MemberData(nameof(ModesCommands))]
    public async Task An_older_Cruise_Control_without_the_field_gives_no_opinion_and_never_refuses(CapacityOpinionMode mode, ScaleCommandKind kind)
    {
        // The double's default proposal is the older Cruise Control's real body: its summary has no provisionStatus.
        Assert.DoesNotContain("provisionStatus", CruiseControlReply.Proposal.Text, StringComparison.Ordinal);
        await using var harness = await Harness(mode);

        await harness.HandleAsync(harness.Command(kind));

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Single(harness.Writes);
        Assert.Equal(mode != CapacityOpinionMode.Off, harness.LastDecision["Reason"]!.Contains("Cruise Control gives no capacity opinion", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CapacityOpinionMode.Advise, ScaleCommandKind.DownScale, "Acted")]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.DownScale, "Refused")]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.UpScale, "Acted")]
    public async Task A_goal_that_cannot_be_satisfied_is_Cruise_Controls_way_of_saying_under_provisioned(CapacityOpinionMode mode, ScaleCommandKind kind, string outcome)
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.UnderProvisionedFailure());
        await using var harness = await Harness(mode);

        await harness.HandleAsync(harness.Command(kind));

        Assert.Equal(outcome, harness.LastDecision["Outcome"]);
        Assert.Contains(
            "Cruise Control says the cluster is UNDER_PROVISIONED ([DiskCapacityGoal] Insufficient capacity for disk (Utilization 2452.65, Allowed Capacity 2400.00, Threshold: 0.80). Add at least 1 broker with the same disk capacity (1000.00) as broker-0.)",
            harness.LastDecision["Reason"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ModesCommands))]
    public async Task An_unreachable_Cruise_Control_defers_only_an_enforced_downScale(CapacityOpinionMode mode, ScaleCommandKind kind)
    {
        await using var harness = await Harness(mode, new Uri($"http://127.0.0.1:{ClosedPort.Next()}/kafkacruisecontrol/"));

        await harness.HandleAsync(harness.Command(kind));

        var reason = harness.LastDecision["Reason"]!;
        if (mode == CapacityOpinionMode.Enforce && kind == ScaleCommandKind.DownScale)
        {
            Assert.Equal("Deferred", harness.LastDecision["Outcome"]);
            Assert.StartsWith(ReasonCodes.CruiseControlUnavailable + ": Cruise Control's capacity opinion is unavailable (HttpRequestException", reason, StringComparison.Ordinal);
            Assert.Empty(harness.Writes);
            Assert.Equal(TimeSpan.FromMinutes(1), Assert.Single(harness.Queue.Deferred).Delay);
        }
        else
        {
            Assert.Equal("Acted", harness.LastDecision["Outcome"]);
            Assert.Equal(mode != CapacityOpinionMode.Off, reason.Contains("Cruise Control's capacity opinion is unavailable", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_deferred_downScale_acts_once_Cruise_Control_answers_and_expires_if_it_never_does()
    {
        await using var harness = await Harness(CapacityOpinionMode.Enforce);
        cruiseControl.Enqueue("proposals", CruiseControlReply.PlainText("Service Unavailable", 503));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        var (deferred, _) = Assert.Single(harness.Queue.Deferred);
        Assert.Contains("(503)", harness.LastDecision["Reason"], StringComparison.Ordinal);

        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.HandleAsync(deferred);

        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Single(harness.Writes);

        // Never for ever: a command deferred until its expiry is dropped as Expired, without asking again.
        var late = harness.Command(ScaleCommandKind.DownScale);
        var asked = cruiseControl.RequestsTo("proposals").Count();
        harness.Time.Advance(TimeSpan.FromMinutes(16));
        await harness.HandleAsync(late);
        Assert.StartsWith(ReasonCodes.Expired, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Equal(asked, cruiseControl.RequestsTo("proposals").Count());
    }

    [Fact]
    public async Task Cruise_Control_is_asked_only_for_broker_count_commands_the_guards_would_act_on_and_once_per_command()
    {
        await using var harness = await Harness(CapacityOpinionMode.Enforce);

        // addPvc changes no broker count; a replay and a held command never get as far.
        await harness.HandleAsync(harness.Command(ScaleCommandKind.AddPvc, new ScaleParameters { DiskSize = "50Gi" }, new ScaleTarget(PersistentVolumeClaim: "kafka-1-storage-0-x7k2p")));
        Assert.Empty(cruiseControl.RequestsTo("proposals"));

        // One conflict: the executor reads the cluster again and decides again, on the opinion it already has.
        harness.Api.Faults.Fail(409, "Conflict", "PATCH", times: 1);
        harness.Time.Advance(TimeSpan.FromHours(1));
        var upScale = harness.Command(ScaleCommandKind.UpScale);
        await harness.HandleAsync(upScale);
        Assert.Equal("Acted", harness.LastDecision["Outcome"]);
        Assert.Single(cruiseControl.RequestsTo("proposals"));

        await harness.HandleAsync(upScale);
        Assert.StartsWith(ReasonCodes.Replay, harness.LastDecision["Reason"], StringComparison.Ordinal);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));
        Assert.StartsWith(ReasonCodes.FlapGuard, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Single(cruiseControl.RequestsTo("proposals"));
    }

    [Fact]
    public async Task A_dry_run_records_the_opinion_and_the_refusal_the_same_way()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.ProposalWithProvision(CapacityOpinion.OverProvisioned, "[ReplicaDistributionGoal] Remove at least 1 broker."));
        await using var harness = await Harness(CapacityOpinionMode.Enforce, dryRun: true);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.StartsWith(ReasonCodes.DryRun, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Contains("Cruise Control says the cluster is OVER_PROVISIONED ([ReplicaDistributionGoal] Remove at least 1 broker.)", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
    }

    [Fact]
    public async Task A_cluster_can_enforce_while_the_global_setting_advises()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.UnderProvisionedFailure());
        await using var harness = await ExecutorHarness.StartAsync(s =>
        {
            s["CruiseControl:CapacityOpinion"] = "Advise";
            s["Clusters:0:CruiseControl:Url"] = cruiseControl.BaseUri.ToString();
            s["Clusters:0:CruiseControl:CapacityOpinion"] = "Enforce";
        });

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.CruiseControlUnderProvisioned, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task Without_the_setting_a_downScale_is_enforced()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.UnderProvisionedFailure());
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:CruiseControl:Url"] = cruiseControl.BaseUri.ToString());

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith(ReasonCodes.CruiseControlUnderProvisioned, harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
        Assert.Equal([0, 1, 2], KafkaClusterFixture.BrokerIds(harness.Cluster));
    }

    [Fact]
    public async Task A_403_from_the_service_proxy_is_a_Forbidden_refusal_never_a_retry_nor_unavailable()
    {
        await using var api = new KubernetesApiDouble().WithServiceProxy("kafka", "kafka-cruisecontrol-svc", 8090, cruiseControl);
        api.SeedKafkaCluster();
        await api.StartAsync();
        api.Faults.Forbid("GET", "/proxy/kafkacruisecontrol/proposals");
        await using var harness = await ExecutorHarness.StartAsync(s => s["Clusters:0:CruiseControl:Service"] = "kafka-cruisecontrol-svc", sharedApi: api);

        await harness.HandleAsync(harness.Command(ScaleCommandKind.DownScale));

        Assert.Equal("Refused", harness.LastDecision["Outcome"]);
        Assert.StartsWith($"{ReasonCodes.Forbidden}: the API server refused get on services/proxy \"kafka-cruisecontrol-svc:8090\"", harness.LastDecision["Reason"], StringComparison.Ordinal);
        Assert.Empty(harness.Writes);
        Assert.Empty(harness.Queue.Deferred);
    }

    private Task<ExecutorHarness> Harness(CapacityOpinionMode mode, Uri? url = null, bool dryRun = false) => ExecutorHarness.StartAsync(s =>
    {
        s["Clusters:0:CruiseControl:Url"] = (url ?? cruiseControl.BaseUri).ToString();
        s["CruiseControl:CapacityOpinion"] = mode.ToString();
        s["CruiseControl:RetryAttempts"] = "0";
        s["Executor:DryRun"] = dryRun ? "true" : "false";
    });
}
