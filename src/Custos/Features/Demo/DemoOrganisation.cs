using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Microsoft.EntityFrameworkCore;
using Custos.Security;

namespace Custos.Features.Demo;

/// <summary>A demo sign-in, printed at start-up (clearly marked as demo).</summary>
public sealed record DemoAccount(string UserName, string Role);

/// <summary>
/// The demo organisation: a few departments and projects, one person per role, synthetic customers.
/// Created only on request (<c>serve --demo</c>) or by the first <c>serve</c> of an empty installation.
/// </summary>
public sealed class DemoOrganisation(CustosDbContext db, PeopleService people, OrganisationService organisation, CustomerAccess access, TimeProvider time)
{
    /// <summary>The one password of every demo account; it exists only in demo installations.</summary>
    public const string Password = "Custos-Demo-2026";

    private static readonly (string Code, string Name)[] DemoDepartments =
    [
        ("SALES", "销售部"), ("SERVICE", "客服中心"), ("MARKETING", "市场部"), ("COMPLIANCE", "品质管理部"), ("GMO", "总经理办公室"), ("IT", "信息技术部"),
    ];

    private static readonly (string Code, string Name, string Department)[] DemoProjects =
    [
        ("EAST-EXPANSION", "华东区域拓展", "SALES"), ("VIP-CARE", "贵宾客户服务", "SERVICE"), ("HOTLINE", "400 客服热线", "SERVICE"),
    ];

    private static readonly (string User, string Name, string Role, string[] Departments, string[] Projects, Clearance Clearance)[] DemoPeople =
    [
        ("demo.it", "周信息", Roles.ItAdministrator, ["IT"], [], Clearance.Confidential),
        ("demo.officer", "吴文书", Roles.InformationOfficer, ["SALES"], ["EAST-EXPANSION"], Clearance.Confidential),
        ("demo.staff", "郑小客", Roles.Staff, ["SERVICE"], ["HOTLINE"], Clearance.Secret),
        ("demo.head", "王部长", Roles.DepartmentHead, ["SALES", "SERVICE"], [], Clearance.Confidential),
        ("demo.pm", "李经理", Roles.ProjectManager, ["SERVICE"], ["VIP-CARE"], Clearance.Confidential),
        ("demo.compliance", "陈品质", Roles.ComplianceOfficer, ["COMPLIANCE"], [], Clearance.TopSecret),
        ("demo.gm", "赵总", Roles.GeneralManager, ["GMO"], [], Clearance.TopSecret),
        ("demo.auditor", "孙审计", Roles.Auditor, ["COMPLIANCE"], [], Clearance.Confidential),
        ("demo.partner", "钱外包", Roles.Partner, ["SERVICE"], ["HOTLINE"], Clearance.Secret),
    ];

    public static IReadOnlyList<DemoAccount> Accounts { get; } = [.. DemoPeople.Select(p => new DemoAccount(p.User, p.Role))];

    /// <summary>True once the demo organisation exists in this database.</summary>
    public Task<bool> ExistsAsync(CancellationToken ct) => db.Departments.AnyAsync(d => d.Code == "SALES", ct);

    public async Task CreateAsync(int customers, CancellationToken ct)
    {
        if (await ExistsAsync(ct))
        {
            return;
        }

        foreach (var (code, name) in DemoDepartments)
        {
            await organisation.AddDepartmentAsync(code, name, ct);
        }

        foreach (var (code, name, department) in DemoProjects)
        {
            await organisation.AddProjectAsync(code, name, department, ct);
        }

        foreach (var p in DemoPeople)
        {
            await people.CreateAsync(new NewPerson(p.User, p.Name, null, [p.Role], p.Departments, p.Projects, p.Clearance, Password), ct);
        }

        await AddCustomersAsync(customers, ct);
    }

    private async Task AddCustomersAsync(int count, CancellationToken ct)
    {
        var departments = await db.Departments.Where(d => d.Code == "SALES" || d.Code == "SERVICE" || d.Code == "MARKETING").ToListAsync(ct);
        var projects = await db.Projects.ToListAsync(ct);
        var now = time.GetUtcNow();
        var i = 0;
        foreach (var c in new SyntheticCustomers(seed: 20261129).Generate(count))
        {
            var department = departments[i % departments.Count];
            var project = projects.FirstOrDefault(p => p.DepartmentId == department.Id && i % 3 == 0);
            var grade = (i % 20) switch { 0 => Clearance.TopSecret, < 6 => Clearance.Confidential, _ => Clearance.Secret };
            db.Customers.Add(access.Build(CustomerKind.Individual, department.Id, project?.Id, grade, new Dictionary<string, string?>
            {
                [FieldCatalogue.Name] = c.Name,
                [FieldCatalogue.IdNumber] = c.IdNumber,
                [FieldCatalogue.Mobile] = c.Mobile,
            }));
            i++;
        }

        db.AuditRecords.Add(new Audit.AuditRecord
        {
            At = now, ActorId = "system", ActorName = "system", ClientAddress = "cli", Action = AuditActions.CustomerDemoCreate,
            TargetType = "customer", Detail = $"{{\"count\":{count}}}",
        });
        await db.SaveChangesAsync(ct);
    }
}
