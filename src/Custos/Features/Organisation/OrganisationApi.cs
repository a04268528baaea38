using Custos.Hosting;

namespace Custos.Features.Organisation;

/// <summary>Departments and projects: everyone signed in may read them, IT administrators change them.</summary>
internal static class OrganisationApi
{
    public sealed record DepartmentRequest(string Code, string Name);

    public sealed record ProjectRequest(string Code, string Name, string Department);

    public static void Map(RouteGroupBuilder api)
    {
        var departments = api.MapGroup("/departments").WithTags("Organisation");
        departments.MapGet("/", async (OrganisationService service, CancellationToken ct) => TypedResults.Ok(await service.DepartmentsAsync(ct)))
            .WithMetadata(new GateAttribute(Gate.Directory))
            .WithName("ListDepartments").WithSummary("All departments");
        departments.MapPost("/", async (DepartmentRequest request, OrganisationService service, CancellationToken ct) =>
            {
                var d = await service.AddDepartmentAsync(request.Code, request.Name, ct);
                return TypedResults.Created($"/api/v1/departments/{d.Id}", new DepartmentView(d.Id, d.Code, d.Name, d.IsDefault, 0, 0));
            })
            .RequireAuthorization(Policies.Administer)
            .WithName("CreateDepartment").WithSummary("Create a department").ProducesProblem(400).ProducesProblem(409);

        var projects = api.MapGroup("/projects").WithTags("Organisation");
        projects.MapGet("/", async (OrganisationService service, CancellationToken ct) => TypedResults.Ok(await service.ProjectsAsync(ct)))
            .WithMetadata(new GateAttribute(Gate.Directory))
            .WithName("ListProjects").WithSummary("All projects");
        projects.MapPost("/", async (ProjectRequest request, OrganisationService service, CancellationToken ct) =>
            {
                var p = await service.AddProjectAsync(request.Code, request.Name, request.Department, ct);
                return TypedResults.Created($"/api/v1/projects/{p.Id}", new ProjectView(p.Id, p.Code, p.Name, request.Department.ToUpperInvariant(), 0));
            })
            .RequireAuthorization(Policies.Administer)
            .WithName("CreateProject").WithSummary("Create a project in a department").ProducesProblem(400).ProducesProblem(409);
    }
}
