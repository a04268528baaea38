using Custos.Data;
using Custos.Features.Audit;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.Organisation;

[Contract]
public sealed record DepartmentView(Guid Id, string Code, string Name, bool IsDefault, int People, int Projects);

[Contract]
public sealed record ProjectView(Guid Id, string Code, string Name, string DepartmentCode, int People);

/// <summary>Departments and projects (ACC-2): the boundaries of least knowledge.</summary>
[Contract]
public sealed class OrganisationService(CustosDbContext db, IAuditTrail audit, TimeProvider time)
{
    public async Task<IReadOnlyList<DepartmentView>> DepartmentsAsync(CancellationToken ct) =>
        await db.Departments.AsNoTracking().OrderBy(d => d.Code)
            .Select(d => new DepartmentView(
                d.Id, d.Code, d.Name, d.IsDefault,
                db.DepartmentMemberships.Count(m => m.DepartmentId == d.Id),
                d.Projects.Count))
            .ToListAsync(ct);

    public async Task<IReadOnlyList<ProjectView>> ProjectsAsync(CancellationToken ct) =>
        await db.Projects.AsNoTracking().OrderBy(p => p.Code)
            .Select(p => new ProjectView(p.Id, p.Code, p.Name, p.Department!.Code, db.ProjectMemberships.Count(m => m.ProjectId == p.Id)))
            .ToListAsync(ct);

    public async Task<Department> AddDepartmentAsync(string code, string name, CancellationToken ct)
    {
        code = NormaliseCode(code);
        name = RequireName(name);
        if (await db.Departments.AnyAsync(d => d.Code == code, ct))
        {
            throw CustosException.Conflict("DuplicateDepartment", code);
        }

        var department = new Department { Id = Guid.CreateVersion7(time.GetUtcNow()), Code = code, Name = name, CreatedAt = time.GetUtcNow() };
        db.Departments.Add(department);
        audit.Record(AuditActions.DepartmentCreate, "department", department.Id.ToString(), detail: new { after = new { code, name } });
        await db.SaveChangesAsync(ct);
        return department;
    }

    public async Task<Project> AddProjectAsync(string code, string name, string departmentCode, CancellationToken ct)
    {
        code = NormaliseCode(code);
        name = RequireName(name);
        var department = await db.Departments.SingleOrDefaultAsync(d => d.Code == departmentCode.Trim().ToUpperInvariant(), ct)
            ?? throw CustosException.Invalid("UnknownDepartment", departmentCode);
        if (await db.Projects.AnyAsync(p => p.Code == code, ct))
        {
            throw CustosException.Conflict("DuplicateProject", code);
        }

        var project = new Project { Id = Guid.CreateVersion7(time.GetUtcNow()), Code = code, Name = name, DepartmentId = department.Id, CreatedAt = time.GetUtcNow() };
        db.Projects.Add(project);
        audit.Record(AuditActions.ProjectCreate, "project", project.Id.ToString(), detail: new { after = new { code, name, department = department.Code } });
        await db.SaveChangesAsync(ct);
        return project;
    }

    /// <summary>Codes are short upper-case identifiers: letters, digits, '-' and '_'.</summary>
    public static string NormaliseCode(string? code)
    {
        var c = (code ?? "").Trim().ToUpperInvariant();
        if (c.Length is 0 or > 32 || !c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_'))
        {
            throw CustosException.Invalid("InvalidCode");
        }

        return c;
    }

    private static string RequireName(string? name)
    {
        var n = TextInput.Clean(name, "name");
        return n.Length is > 0 and <= 100 ? n : throw CustosException.Invalid("InvalidName");
    }
}
