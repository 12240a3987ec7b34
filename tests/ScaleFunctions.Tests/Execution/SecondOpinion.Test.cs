using ScaleFunctions.Commands;
using ScaleFunctions.Configuration;
using ScaleFunctions.Decisions;
using ScaleFunctions.Execution;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Testing.CruiseControl;

namespace ScaleFunctions.Tests.Execution;

/// <summary>
/// The pure last step of an upScale/downScale, <see cref="ScaleGuards.SecondOpinion"/>: every provision status of
/// Cruise Control's schema × every mode × both commands, no opinion (older Cruise Control) and unavailable.
/// </summary>
public sealed class SecondOpinionTest
{
    private static readonly DateTimeOffset Now = new(2025, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly ScaleGuards Guards = new(new ExecutorOptions { DeferralDelay = TimeSpan.FromMinutes(2) });
    private static readonly ScaleDecision Acting = new(DecisionOutcome.Acted, ReasonCodes.Applied, "remove broker 2");

    public static TheoryData<string, CapacityOpinionMode, ScaleCommandKind> StatusesModesCommands()
    {
        var data = new TheoryData<string, CapacityOpinionMode, ScaleCommandKind>();
        foreach (var status in CruiseControlResponseSchema.ProvisionStatuses)
        {
            foreach (var mode in Enum.GetValues<CapacityOpinionMode>())
            {
                data.Add(status, mode, ScaleCommandKind.UpScale);
                data.Add(status, mode, ScaleCommandKind.DownScale);
            }
        }

        return data;
    }

    [Fact]
    public void The_schema_has_the_four_statuses_the_executor_knows() =>
        Assert.Equal([CapacityOpinion.UnderProvisioned, CapacityOpinion.RightSized, CapacityOpinion.OverProvisioned, CapacityOpinion.Undecided], CruiseControlResponseSchema.ProvisionStatuses);

    [Theory]
    [MemberData(nameof(StatusesModesCommands))]
    public void Only_an_enforced_under_provisioned_opinion_refuses_and_only_a_downScale(string status, CapacityOpinionMode mode, ScaleCommandKind kind)
    {
        var opinion = CapacityOpinion.Reported(status, status == CapacityOpinion.UnderProvisioned ? "[DiskCapacityGoal] Add at least 1 broker." : "");

        var decision = Guards.SecondOpinion(Command(kind), Acting, opinion, mode);

        if (mode == CapacityOpinionMode.Enforce && kind == ScaleCommandKind.DownScale && status == CapacityOpinion.UnderProvisioned)
        {
            Assert.Equal(DecisionOutcome.Refused, decision.Outcome);
            Assert.Equal(
                "CruiseControlUnderProvisioned: Cruise Control says the cluster is UNDER_PROVISIONED ([DiskCapacityGoal] Add at least 1 broker.); the downScale (remove broker 2) is refused (CruiseControl:CapacityOpinion Enforce)",
                decision.Text);
        }
        else if (mode == CapacityOpinionMode.Off)
        {
            Assert.Same(Acting, decision);
        }
        else
        {
            Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
            Assert.StartsWith($"Applied: remove broker 2; Cruise Control says the cluster is {status}", decision.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(CapacityOpinionMode.Advise, ScaleCommandKind.UpScale)]
    [InlineData(CapacityOpinionMode.Advise, ScaleCommandKind.DownScale)]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.UpScale)]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.DownScale)]
    public void No_opinion_from_an_older_Cruise_Control_is_advice_only(CapacityOpinionMode mode, ScaleCommandKind kind)
    {
        var decision = Guards.SecondOpinion(Command(kind), Acting, CapacityOpinion.NotReported, mode);

        Assert.Equal(DecisionOutcome.Acted, decision.Outcome);
        Assert.Equal("Applied: remove broker 2; Cruise Control gives no capacity opinion (its proposals carry no provisionStatus; Cruise Control 2.5.29 or later reports one)", decision.Text);
    }

    [Theory]
    [InlineData(CapacityOpinionMode.Advise, ScaleCommandKind.UpScale, DecisionOutcome.Acted)]
    [InlineData(CapacityOpinionMode.Advise, ScaleCommandKind.DownScale, DecisionOutcome.Acted)]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.UpScale, DecisionOutcome.Acted)]
    [InlineData(CapacityOpinionMode.Enforce, ScaleCommandKind.DownScale, DecisionOutcome.Deferred)]
    public void An_unavailable_opinion_defers_only_an_enforced_downScale(CapacityOpinionMode mode, ScaleCommandKind kind, DecisionOutcome outcome)
    {
        var decision = Guards.SecondOpinion(Command(kind), Acting, CapacityOpinion.Unavailable("HttpRequestException: Connection refused"), mode);

        Assert.Equal(outcome, decision.Outcome);
        Assert.Contains("Cruise Control's capacity opinion is unavailable (HttpRequestException: Connection refused)", decision.Text, StringComparison.Ordinal);
        if (outcome == DecisionOutcome.Deferred)
        {
            Assert.StartsWith(ReasonCodes.CruiseControlUnavailable + ":", decision.Text, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromMinutes(2), decision.DeferFor);
        }
    }

    [Fact]
    public void A_decision_that_does_not_act_or_a_storage_command_is_left_as_it_is()
    {
        var under = CapacityOpinion.Reported(CapacityOpinion.UnderProvisioned, "[CpuCapacityGoal] Add at least 1 broker.");
        var held = ScaleDecision.Defer(ReasonCodes.FlapGuard, "cooling down", TimeSpan.FromMinutes(3));

        Assert.Same(held, Guards.SecondOpinion(Command(ScaleCommandKind.DownScale), held, under, CapacityOpinionMode.Enforce));
        Assert.Same(Acting, Guards.SecondOpinion(Command(ScaleCommandKind.AddPvc), Acting, under, CapacityOpinionMode.Enforce));
        Assert.Same(Acting, Guards.SecondOpinion(Command(ScaleCommandKind.DownScale), Acting, null, CapacityOpinionMode.Enforce));
    }

    [Fact]
    public void Cruise_Controls_text_is_cut_and_has_no_control_characters()
    {
        var opinion = CapacityOpinion.Reported(CapacityOpinion.OverProvisioned, "[ReplicaDistributionGoal]\nRemove at least 1 broker." + new string('x', 400));

        Assert.DoesNotContain('\n', opinion.Describe());
        Assert.Equal(CapacityOpinion.MaxDetail + 1, opinion.Detail!.Length);
        Assert.EndsWith("…", opinion.Detail, StringComparison.Ordinal);
    }

    private static ScaleCommand Command(ScaleCommandKind kind) => new()
    {
        IdempotencyKey = "key-1",
        Command = kind,
        Cluster = new ClusterRef("kafka", "kafka", ClusterKind.KafkaCluster),
        Target = ScaleTarget.Cluster,
        Parameters = new ScaleParameters(),
        Alerts = [new AlertRef("fp1", "KafkaAlert", Now.AddMinutes(-1))],
        CreatedAt = Now,
        ExpiresAt = Now.AddMinutes(15),
    };
}
