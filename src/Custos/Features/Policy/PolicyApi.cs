using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Custos.Kernel.Policy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Custos.Features.Policy;

/// <summary>The access policy over REST: the version in force, its history, loading a new one, explaining and testing decisions.</summary>
internal static class PolicyApi
{
    public sealed record PolicyText(PolicyVersionView Version, string Text);

    public sealed record LoadRequest(string Text, string? Note = null);

    public sealed record TestRequest(string Cases, string? Candidate = null);

    /// <summary>A refused policy file as problem details: every mistake with its line and column in <c>errors</c>.</summary>
    private static ProblemHttpResult Invalid(PolicyInvalidException e, IStringLocalizer<Strings> text) =>
        TypedResults.Problem(
            title: text["Error.PolicyInvalid", e.Errors.Count],
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["code"] = "PolicyInvalid", ["field"] = "text", ["errors"] = e.Errors });

    public static void Map(RouteGroupBuilder api)
    {
        var policy = api.MapGroup("/policy").WithTags("Policy").WithMetadata(new GateAttribute(Gate.PolicyEngine));

        policy.MapGet("/", async Task<Ok<PolicyText>> (PolicyService service, CancellationToken ct) =>
            {
                var (version, text) = await service.CurrentAsync(ct);
                return TypedResults.Ok(new PolicyText(version, text));
            })
            .WithName("CurrentPolicy").WithSummary("The policy in force and its text (YAML)").ProducesProblem(403);

        policy.MapGet("/versions", async (PolicyService service, CancellationToken ct) => TypedResults.Ok(await service.HistoryAsync(ct)))
            .WithName("PolicyHistory").WithSummary("Every version loaded, newest first, and the built-in one").ProducesProblem(403);

        policy.MapPost("/", async Task<Results<Accepted<Access.RequestView>, ProblemHttpResult>> (LoadRequest body, Access.RequestService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                try
                {
                    var request = await service.SubmitPolicyAsync(body.Text ?? "", body.Note, ct);
                    return TypedResults.Accepted($"/api/v1/requests/{request.Id}", request);
                }
                catch (PolicyInvalidException e)
                {
                    return Invalid(e, text);
                }
            })
            .WithName("LoadPolicy").WithSummary("Validate a new policy version and file it for approval (policy-change); every problem is reported with its line. It is put in force by the last approval.")
            .ProducesProblem(403).ProducesProblem(409);

        policy.MapGet("/explain", async (string user, string action, Guid? customer, string? department, string? field, string? from, DateTimeOffset? at, PolicyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ExplainAsync(user, action, customer, department, field, from, at, ct)))
            .WithName("ExplainDecision").WithSummary("What the policy decides for a person, an action and a customer or department, and why").ProducesProblem(403).ProducesProblem(404);

        policy.MapPost("/test", async Task<Results<Ok<IReadOnlyList<PolicyTestResult>>, ProblemHttpResult>> (TestRequest body, PolicyService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await service.TestAsync(body.Cases ?? "", body.Candidate, ct));
                }
                catch (PolicyInvalidException e)
                {
                    return Invalid(e, text);
                }
            })
            .WithName("TestPolicy").WithSummary("Run a table of expected decisions against the policy in force or a candidate").ProducesProblem(403);
    }
}
