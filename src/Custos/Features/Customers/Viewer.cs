using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Customers;

/// <summary>
/// Who is looking at customer information, with what they need for least knowledge (ACC-1): their
/// departments and projects, roles and clearance. Loaded from the database for every request.
/// </summary>
public sealed record Viewer(Guid PersonId, string Name, IReadOnlySet<string> Roles, Clearance Clearance, IReadOnlySet<Guid> Departments, IReadOnlySet<Guid> Projects)
{
    /// <summary>Roles that work with customer information. The IT administrator manages accounts, not customers (ACC-2).</summary>
    private static readonly string[] CustomerRoles =
    [
        People.Roles.InformationOfficer, People.Roles.Staff, People.Roles.DepartmentHead, People.Roles.ProjectManager,
        People.Roles.GeneralManager, People.Roles.ComplianceOfficer, People.Roles.Partner,
    ];

    /// <summary>Roles that may enter and change customer information.</summary>
    private static readonly string[] EditorRoles = [People.Roles.InformationOfficer, People.Roles.Staff, People.Roles.DepartmentHead, People.Roles.ProjectManager];

    public bool WorksWithCustomers => Roles.Any(r => CustomerRoles.Contains(r));

    public bool MayEdit => Roles.Any(r => EditorRoles.Contains(r));

    /// <summary>Partners see only the customers of their projects; everyone else those of their departments and projects.</summary>
    public bool InScope(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        if (!WorksWithCustomers)
        {
            return false;
        }

        var inProject = customer.ProjectId is { } project && Projects.Contains(project);
        return Roles.Contains(People.Roles.Partner) && Roles.Count == 1 ? inProject : inProject || Departments.Contains(customer.DepartmentId);
    }

    public static async Task<Viewer> LoadAsync(CustosDbContext db, ICurrentActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        if (!Guid.TryParse(actor.Id, out var id))
        {
            // API tokens and the system are not people: they have no customer scope.
            return new Viewer(Guid.Empty, actor.Name, new HashSet<string>(), Clearance.Secret, new HashSet<Guid>(), new HashSet<Guid>());
        }

        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct)
            ?? throw CustosException.NotFound("PersonNotFound");
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == id select r.Name!).ToListAsync(ct);
        var departments = await db.DepartmentMemberships.Where(m => m.PersonId == id).Select(m => m.DepartmentId).ToListAsync(ct);
        var projects = await db.ProjectMemberships.Where(m => m.PersonId == id).Select(m => m.ProjectId).ToListAsync(ct);
        var active = person.EmploymentStatus == EmploymentStatus.Active;
        return new Viewer(
            id,
            person.DisplayName,
            active ? roles.ToHashSet(StringComparer.Ordinal) : new HashSet<string>(),
            person.Clearance,
            departments.ToHashSet(),
            projects.ToHashSet());
    }
}
