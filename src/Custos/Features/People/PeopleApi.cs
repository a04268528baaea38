using Custos.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Custos.Features.People;

/// <summary>People, roles and memberships (ACC-2); IT administrators only.</summary>
internal static class PeopleApi
{
    public sealed record CreatePersonRequest(
        string UserName, string DisplayName, string? Email, IReadOnlyList<string>? Roles,
        IReadOnlyList<string>? Departments, IReadOnlyList<string>? Projects, Clearance? Clearance, string? Password);

    public sealed record CreatedPerson(PersonView Person, string? InitialPassword);

    public sealed record RolesRequest(IReadOnlyList<string> Roles);

    public sealed record MembershipsRequest(IReadOnlyList<string> Departments, IReadOnlyList<string> Projects);

    public sealed record ClearanceRequest(Clearance Clearance);

    /// <summary>The last working day, or null to withdraw an announced departure.</summary>
    public sealed record DepartureRequest(DateOnly? DepartsOn);

    public static void Map(RouteGroupBuilder api)
    {
        var people = api.MapGroup("/people").RequireAuthorization(Policies.Administer).WithTags("People");

        people.MapGet("/", async (PeopleService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListPeople").WithSummary("Every person, with roles, memberships and status");

        people.MapGet("/{id:guid}", async (Guid id, PeopleService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetPerson").WithSummary("One person").ProducesProblem(404);

        people.MapPost("/", async Task<Created<CreatedPerson>> (CreatePersonRequest request, PeopleService service, CancellationToken ct) =>
            {
                var (person, password) = await service.CreateAsync(new NewPerson(
                    request.UserName, request.DisplayName, request.Email, request.Roles ?? [Roles.Staff],
                    request.Departments ?? [], request.Projects ?? [], request.Clearance ?? Clearance.Secret, request.Password), ct);
                var view = await service.GetAsync(person.Id, ct);
                return TypedResults.Created($"/api/v1/people/{person.Id}", new CreatedPerson(view, password));
            })
            .WithName("CreatePerson").WithSummary("Create a person; without a password one is generated and returned once")
            .ProducesProblem(400).ProducesProblem(409);

        people.MapPut("/{id:guid}/roles", async (Guid id, RolesRequest request, PeopleService service, CancellationToken ct) =>
            {
                await service.SetRolesAsync(id, request.Roles, ct);
                return TypedResults.NoContent();
            })
            .WithName("SetPersonRoles").WithSummary("Replace a person's roles").ProducesProblem(400).ProducesProblem(404);

        people.MapPut("/{id:guid}/memberships", async (Guid id, MembershipsRequest request, PeopleService service, CancellationToken ct) =>
            {
                await service.SetMembershipsAsync(id, request.Departments, request.Projects, ct);
                return TypedResults.NoContent();
            })
            .WithName("SetPersonMemberships").WithSummary("Replace a person's departments and projects").ProducesProblem(400).ProducesProblem(404);

        people.MapPut("/{id:guid}/clearance", async (Guid id, ClearanceRequest request, PeopleService service, CancellationToken ct) =>
            {
                await service.SetClearanceAsync(id, request.Clearance, ct);
                return TypedResults.NoContent();
            })
            .WithName("SetPersonClearance").WithSummary("Set a person's clearance").ProducesProblem(404);

        people.MapPut("/{id:guid}/departure", async (Guid id, DepartureRequest request, PeopleService service, CancellationToken ct) =>
            {
                await service.SetDepartureAsync(id, request.DepartsOn, ct);
                return TypedResults.NoContent();
            })
            .WithName("SetPersonDeparture").WithSummary("Record a person's last working day (their use of customer information is then watched), or withdraw it").ProducesProblem(404);

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
