using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ScaleFunctions.Intake;
using ScaleFunctions.Operations;

namespace ScaleFunctions.App.Functions;

/// <summary>POST /api/plan: what a webhook would do to the clusters now, writing nothing. Authenticated like /api/alerts.</summary>
public sealed class PlanFunction(WebhookPlanner planner)
{
    [Function("plan")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "plan")] HttpRequest request,
        CancellationToken cancellationToken) =>
        (await planner.PlanAsync(request.ToWebhookRequest(), cancellationToken)).ToResult();
}
