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
public sealed class DemoOrganisation(CustosDbContext db, PeopleService people, OrganisationService organisation, CustomerAccess access, IServiceScopeFactory scopes, TimeProvider time)
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

        await AddPartnerAsync(ct);
        await AddCommitteeAsync(ct);
        await AddRestrictedAreasAsync(ct);
        await AddCustomersAsync(customers, ct);
    }

    /// <summary>The demo's restricted areas (ORG-3): the call-centre floor, where visitors sign an agreement first, and the archive room.</summary>
    private async Task AddRestrictedAreasAsync(CancellationToken ct)
    {
        db.Set<Premises.RestrictedArea>().AddRange(
            new Premises.RestrictedArea { Id = Guid.NewGuid(), Code = "CALL-FLOOR", Name = "座席大厅", RequiresNda = true, CreatedAt = time.GetUtcNow() },
            new Premises.RestrictedArea { Id = Guid.NewGuid(), Code = "ARCHIVE", Name = "客户档案室", RequiresNda = true, CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// The confidentiality committee of the demo (ORG-1): the general manager chairs it and owns the policy; the auditor
    /// sits on it and handles anonymous reports (INC-4). Seated by the system, as at installation.
    /// </summary>
    private async Task AddCommitteeAsync(CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var now = time.GetUtcNow();
        foreach (var (user, role, position, duties, owner, handles) in new[]
        {
            ("demo.gm", Roles.GeneralManager, Committee.CommitteePosition.Chair, "主持保密工作小组，解释客户信息保密制度", true, false),
            ("demo.auditor", Roles.Auditor, Committee.CommitteePosition.Member, "受理匿名举报，监督制度执行", false, true),
        })
        {
            var person = await db.Users.AsNoTracking().SingleAsync(u => u.UserName == user, ct);
            db.Set<Committee.CommitteeSeat>().Add(new Committee.CommitteeSeat
            {
                Id = Guid.CreateVersion7(now), PersonId = person.Id, Position = position, Duties = duties, PolicyOwner = owner, StartsOn = today, EndsOn = today.AddYears(2),
                AppointedAt = now, AppointedByName = "system", HandlesReports = handles,
            });
            await db.SaveChangesAsync(ct);
            await people.SetRolesAsync(person.Id, [role, Roles.CommitteeMember], ct, "演示：保密工作小组");
        }
    }

    /// <summary>
    /// The outsourcer demo.partner works for, registered by the demo compliance officer through the register's own
    /// service, with an agreement in force (PPL-4): without it the partner's user could not sign in.
    /// </summary>
    private async Task AddPartnerAsync(CancellationToken ct)
    {
        var compliance = await db.Users.AsNoTracking().SingleAsync(u => u.UserName == "demo.compliance", ct);
        using var scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<BackgroundActor>().Set(compliance.Id.ToString(), $"{compliance.DisplayName} (demo.compliance)", null);
        var register = scope.ServiceProvider.GetRequiredService<Partners.PartnerService>();
        const string first17 = "91310115MA1K4D0X7";
        var partner = await register.AddAsync(new Partners.NewPartner("上海申程客服外包有限公司", first17 + Kernel.Recognisers.UnifiedSocialCreditCode.CheckCharacter(first17), "钱经理", "021-61234567",
            "演示数据：400 客服热线外包"), ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        await register.RecordAgreementAsync(partner.Id, new Partners.NewPartnerAgreement("BM-2026-008", "400 客服热线外包：客户姓名、手机号，仅用于回访和投诉处理",
            today.AddDays(-60), today.AddDays(305), "钱经理", "%PDF-1.4\n% demo scan (演示扫描件)\n%%EOF\n"u8.ToArray()), ct);
        await register.LinkProjectAsync(partner.Id, "HOTLINE", ct);
        await register.LinkUserAsync(partner.Id, "demo.partner", ct);
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
