using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ScaleFunctions.Configuration;
using ScaleFunctions.Rebalance.CruiseControl;
using ScaleFunctions.Testing.CruiseControl;

namespace ScaleFunctions.Tests.Rebalance.CruiseControl;

/// <summary>Basic authentication and the retry rules, through the app's real resilient HttpClient.</summary>
public sealed class CruiseControlHttpIntegrationTest : IAsyncLifetime
{
    private const string Password = "s3cr3t-Pa55word";
    private CruiseControlDouble cruiseControl = null!;

    public async Task InitializeAsync() => cruiseControl = await CruiseControlDouble.StartAsync();

    public async Task DisposeAsync() => await cruiseControl.DisposeAsync();

    private static CruiseControlClient ClientOf(RebalanceTestHost host) =>
        host.Services.GetRequiredService<CruiseControlClients>().For(host.Services.GetRequiredService<ManagedClusters>().All[0]);

    private RebalanceTestHost Host(string? password = null)
    {
        var settings = RebalanceTestHost.DirectCluster(cruiseControl.BaseUri);
        if (password is not null)
        {
            settings["Clusters__0__CruiseControl__BasicUsername"] = "scalefunctions";
            settings["Clusters__0__CruiseControl__BasicPassword"] = password;
        }

        return new RebalanceTestHost(settings);
    }

    [Fact]
    public async Task Basic_authentication_is_sent_when_configured()
    {
        cruiseControl.RequiredBasicAuth = ("scalefunctions", Password);
        await using var host = Host(Password);

        var result = await ClientOf(host).GetStateAsync(CancellationToken.None);

        Assert.NotNull(result.Value);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"scalefunctions:{Password}"));
        Assert.Equal(expected, Assert.Single(cruiseControl.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_rejected_password_fails_clearly_and_is_never_logged()
    {
        cruiseControl.RequiredBasicAuth = ("scalefunctions", "another");
        await using var host = Host(Password);

        var error = await Assert.ThrowsAsync<CruiseControlException>(() => ClientOf(host).GetStateAsync(CancellationToken.None));
        await host.Check.RunAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain(Password, error.Message);
        Assert.Equal(Decisions.DecisionOutcome.Refused, host.Decision.Outcome);
        Assert.DoesNotContain(Password, host.AllLogText);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"scalefunctions:{Password}")), host.AllLogText);
    }

    [Fact]
    public async Task Without_credentials_no_authorization_header_is_sent()
    {
        await using var host = Host();

        await ClientOf(host).GetStateAsync(CancellationToken.None);

        Assert.Null(Assert.Single(cruiseControl.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_transient_failure_of_a_read_is_retried()
    {
        cruiseControl.Enqueue("state", CruiseControlReply.PlainText("no endpoints available", 503));
        await using var host = Host();

        var result = await ClientOf(host).GetStateAsync(CancellationToken.None);

        Assert.NotNull(result.Value);
        Assert.Equal(2, cruiseControl.RequestsTo("state").Count());
    }

    [Fact]
    public async Task A_transient_failure_of_a_dry_run_is_retried()
    {
        cruiseControl.Enqueue("rebalance", CruiseControlReply.PlainText("bad gateway", 502));
        await using var host = Host();

        var result = await ClientOf(host).RebalanceAsync(new ExecutionParameters(DryRun: true), CancellationToken.None);

        Assert.Equal(CruiseControlOutcome.Completed, result.Outcome);
        Assert.Equal(2, cruiseControl.RequestsTo("rebalance").Count());
    }

    [Fact]
    public async Task A_request_that_may_start_an_execution_is_never_retried_blindly()
    {
        cruiseControl.Enqueue("rebalance", CruiseControlReply.PlainText("upstream timed out", 504));
        await using var host = Host();

        var error = await Assert.ThrowsAsync<CruiseControlException>(() => ClientOf(host).RebalanceAsync(new ExecutionParameters(DryRun: false), CancellationToken.None));

        Assert.Equal(HttpStatusCode.GatewayTimeout, error.StatusCode);
        Assert.Single(cruiseControl.RequestsTo("rebalance"));
    }

    [Fact]
    public async Task A_follow_up_of_a_started_execution_is_retried_because_it_reads_the_same_task()
    {
        cruiseControl.SetDefault("rebalance", CruiseControlReply.Proposal with { PendingPolls = 1, UserTaskId = "task-9" });
        cruiseControl.EnqueueFollowUp("rebalance", CruiseControlReply.PlainText("no endpoints available", 503));
        await using var host = Host();

        var result = await ClientOf(host).RebalanceAsync(new ExecutionParameters(DryRun: false), CancellationToken.None);

        Assert.Equal((CruiseControlOutcome.Completed, "task-9"), (result.Outcome, result.UserTaskId));
        Assert.Equal([null, "task-9", "task-9"], cruiseControl.RequestsTo("rebalance").Select(r => r.Header(CruiseControlClient.UserTaskIdHeader)));
        Assert.Single(cruiseControl.RequestsTo("rebalance"), r => r.Header(CruiseControlClient.UserTaskIdHeader) is null);
    }

    [Fact]
    public async Task Cruise_controls_own_500_is_not_retried()
    {
        cruiseControl.SetDefault("proposals", CruiseControlReply.BadGoals);
        await using var host = Host();

        await Assert.ThrowsAsync<CruiseControlException>(() => ClientOf(host).GetProposalsAsync([], CancellationToken.None));

        Assert.Single(cruiseControl.RequestsTo("proposals"));
    }
}
