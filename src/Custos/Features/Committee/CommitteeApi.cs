using Custos.Hosting;

namespace Custos.Features.Committee;

/// <summary>The confidentiality committee over REST (ORG-1).</summary>
internal static class CommitteeApi
{
    public sealed record EndRequest(string? Reason = null);

    public sealed record ReportsRequest(bool Handles);

    public static void Map(RouteGroupBuilder api)
    {
        var committee = api.MapGroup("/committee").WithTags("Committee").WithMetadata(new GateAttribute(Gate.RoleChecked));

        committee.MapGet("/", async (bool? ended, CommitteeService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ended ?? false, ct)))
            .WithName("ListCommittee").WithSummary("The confidentiality committee: members, positions, duties, terms, the policy owner (with ?ended=true, past seats too)");

        committee.MapPost("/", async (NewSeat request, CommitteeService service, CancellationToken ct) =>
            {
                var seat = await service.AppointAsync(request, ct);
                return TypedResults.Created($"/api/v1/committee/{seat.Id}", seat);
            })
            .WithName("AppointCommitteeMember").WithSummary("Seat a person for a term (compliance officer); the committee role is filed for the privilege approvers")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        committee.MapPost("/{id:guid}/end", async (Guid id, EndRequest request, CommitteeService service, CancellationToken ct) => TypedResults.Ok(await service.EndAsync(id, request.Reason, ct)))
            .WithName("EndCommitteeSeat").WithSummary("End a seat before its term, with the reason: the committee role goes at once")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        committee.MapPut("/{id:guid}/reports", async (Guid id, ReportsRequest request, CommitteeService service, CancellationToken ct) => TypedResults.Ok(await service.SetReportHandlerAsync(id, request.Handles, ct)))
            .WithName("DesignateReportHandler").WithSummary("Designate a member to read and answer anonymous reports (compliance officer)")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}
