using Custos.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Custos.Features.People;

/// <summary>People, roles and memberships (ACC-2); IT administrators only.</summary>
internal static class PeopleApi
{
    public sealed record CreatePersonRequest(
        string UserName, string DisplayName, string? Email = null, IReadOnlyList<string>? Roles = null,
        IReadOnlyList<string>? Departments = null, IReadOnlyList<string>? Projects = null, Clearance? Clearance = null, string? Password = null, string? Reason = null);

    /// <summary>The person as created (with no rights yet), the initial password if one was generated, and the requests for the rights asked for.</summary>
    public sealed record CreatedPerson(PersonView Person, string? InitialPassword, IReadOnlyList<Access.RequestView> Pending);

    /// <summary>What a change of rights did: what was taken away or given at once, and the requests waiting for approval.</summary>
    public sealed record RightsResult(bool Applied, IReadOnlyList<Access.RequestView> Pending);

    public sealed record RolesRequest(IReadOnlyList<string> Roles, string? Reason = null);

    public sealed record MembershipsRequest(IReadOnlyList<string> Departments, IReadOnlyList<string> Projects, string? Reason = null);

    public sealed record ClearanceRequest(Clearance Clearance, string? Reason = null);

    /// <summary>The person's subject at the single sign-on provider (its <c>sub</c> claim, or the one configured); null unlinks.</summary>
    public sealed record SsoRequest(string? Subject = null);

    /// <summary>204 when everything was done at once; 202 with the requests when part of it waits for approval.</summary>
    private static Results<NoContent, Accepted<RightsResult>> Answer(RightsOutcome outcome) =>
        outcome.Complete ? TypedResults.NoContent() : TypedResults.Accepted("/api/v1/requests/mine", new RightsResult(outcome.Applied, outcome.Pending));

    public static void Map(RouteGroupBuilder api)
    {
        var people = api.MapGroup("/people").RequireAuthorization(Policies.Administer).WithTags("People");

        people.MapGet("/", async (PeopleService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListPeople").WithSummary("Every person, with roles, memberships and status");

        people.MapGet("/{id:guid}", async (Guid id, PeopleService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetPerson").WithSummary("One person").ProducesProblem(404);

        people.MapGet("/{id:guid}/joining", async (Guid id, JoiningChecklist checklist, CancellationToken ct) => TypedResults.Ok(await checklist.ForAsync(id, ct)))
            .WithName("GetJoiningChecklist").WithSummary("A person's joining checklist: account, second factor, agreement, training, department, clearance, approvals (PPL-1, PPL-2)").ProducesProblem(404);

        people.MapPost("/", async Task<Created<CreatedPerson>> (CreatePersonRequest request, PeopleService service, CancellationToken ct) =>
            {
                var (person, password, rights) = await service.CreateAsync(new NewPerson(
                    request.UserName, request.DisplayName, request.Email, request.Roles ?? [Roles.Staff],
                    request.Departments ?? [], request.Projects ?? [], request.Clearance ?? Clearance.Secret, request.Password, request.Reason), ct);
                var view = await service.GetAsync(person.Id, ct);
                return TypedResults.Created($"/api/v1/people/{person.Id}", new CreatedPerson(view, password, rights.Pending));
            })
            .WithName("CreatePerson").WithSummary("Create a person with no rights; the roles, memberships and clearance asked for are filed for approval. Without a password one is generated and returned once")
            .ProducesProblem(400).ProducesProblem(409);

        people.MapPut("/{id:guid}/roles", async (Guid id, RolesRequest request, PeopleService service, CancellationToken ct) =>
                Answer(await service.SetRolesAsync(id, request.Roles ?? [], ct, request.Reason)))
            .WithName("SetPersonRoles").WithSummary("Replace a person's roles: roles taken away go at once, roles given are filed for approval (202). Never one's own")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        people.MapPut("/{id:guid}/memberships", async (Guid id, MembershipsRequest request, PeopleService service, CancellationToken ct) =>
                Answer(await service.SetMembershipsAsync(id, request.Departments ?? [], request.Projects ?? [], ct, request.Reason)))
            .WithName("SetPersonMemberships").WithSummary("Replace a person's departments and projects: those left go at once, those joined are filed for approval (202). Never one's own")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        people.MapPut("/{id:guid}/clearance", async (Guid id, ClearanceRequest request, PeopleService service, CancellationToken ct) =>
                Answer(await service.SetClearanceAsync(id, request.Clearance, ct, request.Reason)))
            .WithName("SetPersonClearance").WithSummary("Set a person's clearance: lower at once, higher filed for approval (202). Never one's own")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        people.MapPut("/{id:guid}/sso", async (Guid id, SsoRequest request, PeopleService service, CancellationToken ct) =>
            {
                await service.LinkSsoAsync(id, request.Subject, ct);
                return TypedResults.NoContent();
            })
            .WithName("LinkPersonSso").WithSummary("Link a person to their subject at the single sign-on provider (no role comes with it), or unlink with null. Never one's own")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        people.MapPost("/{id:guid}/disable", async (Guid id, PeopleService service, CancellationToken ct) =>
            {
                await service.DisableAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("DisablePerson").WithSummary("Suspend a person; their sessions end at once").ProducesProblem(400).ProducesProblem(404);

        people.MapPost("/{id:guid}/enable", async (Guid id, PeopleService service, CancellationToken ct) =>
            {
                await service.EnableAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("EnablePerson").WithSummary("Re-activate a suspended person").ProducesProblem(404);

        people.MapPost("/{id:guid}/reset-mfa", async (Guid id, PeopleService service, CancellationToken ct) =>
            {
                await service.ResetMfaAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("ResetPersonMfa").WithSummary("Remove a person's authenticator; they enrol again at next sign-in").ProducesProblem(404);
    }
}
