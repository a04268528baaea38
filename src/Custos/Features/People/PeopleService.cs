using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Organisation;
using Custos.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.People;

/// <summary>What an administrator supplies to create a person.</summary>
public sealed record NewPerson(
    string UserName,
    string DisplayName,
    string? Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> DepartmentCodes,
    IReadOnlyList<string> ProjectCodes,
    Clearance Clearance,
    string? Password);

/// <summary>A person as administrators see them (never a secret).</summary>
public sealed record PersonView(
    Guid Id,
    string UserName,
    string DisplayName,
    string? Email,
    EmploymentStatus EmploymentStatus,
    Clearance Clearance,
    bool TwoFactorEnabled,
    bool IsBuiltIn,
    bool IsLockedOut,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Departments,
    IReadOnlyList<string> Projects,
    DateOnly? DepartsOn = null);

/// <summary>
/// Every change to people, their roles and memberships (ACC-2) goes through here, from the UI, the API and
/// the CLI alike, and is recorded with its before and after state in the same transaction.
/// </summary>
public sealed class PeopleService(
    CustosDbContext db,
    UserManager<Person> users,
    IAuditTrail audit,
    ICurrentActor actor,
    TimeProvider time)
{
    public async Task<IReadOnlyList<PersonView>> ListAsync(CancellationToken ct)
    {
        var people = await db.Users.AsNoTracking().OrderBy(p => p.UserName).ToListAsync(ct);
        return await ViewsAsync(people, ct);
    }

    public async Task<PersonView> GetAsync(Guid id, CancellationToken ct)
    {
        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct)
            ?? throw CustosException.NotFound("PersonNotFound");
        return (await ViewsAsync([person], ct))[0];
    }

    /// <summary>Finds a person by user name or id, for the CLI.</summary>
    public async Task<Person> FindAsync(string userNameOrId, CancellationToken ct)
    {
        var normalised = users.NormalizeName(userNameOrId);
        var person = Guid.TryParse(userNameOrId, out var id)
            ? await db.Users.SingleOrDefaultAsync(p => p.Id == id, ct)
            : await db.Users.SingleOrDefaultAsync(p => p.NormalizedUserName == normalised, ct);
        return person ?? throw CustosException.NotFound("PersonNotFound");
    }

    /// <summary>Creates a person; returns the generated initial password when none was supplied.</summary>
    public async Task<(Person Person, string? GeneratedPassword)> CreateAsync(NewPerson request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UserName))
        {
            throw CustosException.Invalid("UserNameRequired");
        }

        if (string.IsNullOrWhiteSpace(request.DisplayName))
        {
            throw CustosException.Invalid("DisplayNameRequired");
        }

        ValidateRoles(request.Roles);
        var departments = await ResolveDepartmentsAsync(request.DepartmentCodes, ct);
        var projects = await ResolveProjectsAsync(request.ProjectCodes, ct);

        var generated = request.Password is null ? GeneratePassword() : null;
        var person = new Person
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            UserName = request.UserName.Trim(),
            DisplayName = request.DisplayName.Trim(),
            Email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim(),
            Clearance = request.Clearance,
            CreatedAt = time.GetUtcNow(),
            LockoutEnabled = true,
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Check(await users.CreateAsync(person, request.Password ?? generated!));
        if (request.Roles.Count > 0)
        {
            Check(await users.AddToRolesAsync(person, request.Roles));
        }

        foreach (var d in departments)
        {
            db.DepartmentMemberships.Add(new DepartmentMembership { PersonId = person.Id, DepartmentId = d.Id });
        }

        foreach (var p in projects)
        {
            db.ProjectMemberships.Add(new ProjectMembership { PersonId = person.Id, ProjectId = p.Id });
        }

        audit.Record("person.create", "person", person.Id.ToString(), detail: new
        {
            after = new
            {
                person.UserName,
                person.DisplayName,
                Clearance = person.Clearance.ToString(),
                roles = request.Roles,
                departments = departments.Select(d => d.Code),
                projects = projects.Select(p => p.Code),
            },
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (person, generated);
    }

    public async Task SetRolesAsync(Guid id, IReadOnlyList<string> roles, CancellationToken ct)
    {
        ValidateRoles(roles);
        var person = await LoadAsync(id, ct);
        var before = await users.GetRolesAsync(person);
        if (person.IsBuiltIn && !roles.Contains(Roles.ItAdministrator))
        {
            throw CustosException.Invalid("BuiltInKeepsAdmin");
        }

        if (person.Id.ToString() == actor.Id && before.Contains(Roles.ItAdministrator) && !roles.Contains(Roles.ItAdministrator))
        {
            throw CustosException.Invalid("CannotDropOwnAdmin");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var remove = before.Except(roles, StringComparer.Ordinal).ToList();
        var add = roles.Except(before, StringComparer.Ordinal).ToList();
        if (remove.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(person, remove));
        }

        if (add.Count > 0)
        {
            Check(await users.AddToRolesAsync(person, add));
        }

        audit.Record("person.roles.change", "person", person.Id.ToString(), detail: new { before = before.Order(), after = roles.Order() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task SetMembershipsAsync(Guid id, IReadOnlyList<string> departmentCodes, IReadOnlyList<string> projectCodes, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        var departments = await ResolveDepartmentsAsync(departmentCodes, ct);
        var projects = await ResolveProjectsAsync(projectCodes, ct);
        var beforeDepartments = await db.DepartmentMemberships.Where(m => m.PersonId == id).Select(m => m.Department!.Code).ToListAsync(ct);
        var beforeProjects = await db.ProjectMemberships.Where(m => m.PersonId == id).Select(m => m.Project!.Code).ToListAsync(ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.DepartmentMemberships.Where(m => m.PersonId == id).ExecuteDeleteAsync(ct);
        await db.ProjectMemberships.Where(m => m.PersonId == id).ExecuteDeleteAsync(ct);
        db.DepartmentMemberships.AddRange(departments.Select(d => new DepartmentMembership { PersonId = person.Id, DepartmentId = d.Id }));
        db.ProjectMemberships.AddRange(projects.Select(p => new ProjectMembership { PersonId = person.Id, ProjectId = p.Id }));
        audit.Record("person.memberships.change", "person", person.Id.ToString(), detail: new
        {
            before = new { departments = beforeDepartments.Order(), projects = beforeProjects.Order() },
            after = new { departments = departments.Select(d => d.Code).Order(), projects = projects.Select(p => p.Code).Order() },
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task SetClearanceAsync(Guid id, Clearance clearance, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        var before = person.Clearance;
        person.Clearance = clearance;
        audit.Record("person.clearance.change", "person", person.Id.ToString(), detail: new { before = before.ToString(), after = clearance.ToString() });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Records (or, with null, withdraws) a person's announced departure; recorded with before and after (PPL-3).</summary>
    public async Task SetDepartureAsync(Guid id, DateOnly? departsOn, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        var before = person.DepartsOn;
        person.DepartsOn = departsOn;
        audit.Record("person.departure", "person", person.Id.ToString(), detail: new { before, after = departsOn });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Suspends a person: every session and sign-in is refused from the next request on (PPL-3).</summary>
    public async Task DisableAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        if (person.IsBuiltIn)
        {
            throw CustosException.Invalid("BuiltInCannotBeDisabled");
        }

        if (person.Id.ToString() == actor.Id)
        {
            throw CustosException.Invalid("CannotDisableSelf");
        }

        var before = person.EmploymentStatus;
        person.EmploymentStatus = EmploymentStatus.Suspended;
        person.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record("person.disable", "person", person.Id.ToString(), detail: new { before = before.ToString(), after = person.EmploymentStatus.ToString() });
        await db.SaveChangesAsync(ct);
    }

    public async Task EnableAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        var before = person.EmploymentStatus;
        person.EmploymentStatus = EmploymentStatus.Active;
        person.LockoutEnd = null;
        person.AccessFailedCount = 0;
        audit.Record("person.enable", "person", person.Id.ToString(), detail: new { before = before.ToString(), after = person.EmploymentStatus.ToString() });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes the authenticator so the person enrols again at the next sign-in; ends their sessions.</summary>
    public async Task ResetMfaAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Check(await users.SetTwoFactorEnabledAsync(person, false));
        Check(await users.ResetAuthenticatorKeyAsync(person));
        audit.Record("person.mfa.reset", "person", person.Id.ToString());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Sets a new password chosen by an administrator and ends the person's sessions.</summary>
    public async Task SetPasswordAsync(Guid id, string password, CancellationToken ct)
    {
        var person = await LoadAsync(id, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var token = await users.GeneratePasswordResetTokenAsync(person);
        Check(await users.ResetPasswordAsync(person, token, password));
        audit.Record("person.password.reset", "person", person.Id.ToString());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A random password that meets the policy, for people created without one.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var chars = new char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        // Guarantee every character class the policy asks for.
        return "Cu-" + new string(chars) + "7a";
    }

    private async Task<Person> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Users.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw CustosException.NotFound("PersonNotFound");

    private static void ValidateRoles(IEnumerable<string> roles)
    {
        foreach (var role in roles)
        {
            if (!Roles.IsKnown(role))
            {
                throw CustosException.Invalid("UnknownRole", role);
            }
        }
    }

    private async Task<List<Department>> ResolveDepartmentsAsync(IReadOnlyList<string> codes, CancellationToken ct)
    {
        var wanted = codes.Select(c => c.Trim().ToUpperInvariant()).Distinct().ToList();
        var found = await db.Departments.Where(d => wanted.Contains(d.Code)).ToListAsync(ct);
        var missing = wanted.Except(found.Select(d => d.Code)).FirstOrDefault();
        return missing is null ? found : throw CustosException.Invalid("UnknownDepartment", missing);
    }

    private async Task<List<Project>> ResolveProjectsAsync(IReadOnlyList<string> codes, CancellationToken ct)
    {
        var wanted = codes.Select(c => c.Trim().ToUpperInvariant()).Distinct().ToList();
        var found = await db.Projects.Where(p => wanted.Contains(p.Code)).ToListAsync(ct);
        var missing = wanted.Except(found.Select(p => p.Code)).FirstOrDefault();
        return missing is null ? found : throw CustosException.Invalid("UnknownProject", missing);
    }

    private async Task<List<PersonView>> ViewsAsync(List<Person> people, CancellationToken ct)
    {
        var ids = people.Select(p => p.Id).ToList();
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var departments = await db.DepartmentMemberships.Where(m => ids.Contains(m.PersonId))
            .Select(m => new { m.PersonId, m.Department!.Code }).ToListAsync(ct);
        var projects = await db.ProjectMemberships.Where(m => ids.Contains(m.PersonId))
            .Select(m => new { m.PersonId, m.Project!.Code }).ToListAsync(ct);
        var now = time.GetUtcNow();
        return people.Select(p => new PersonView(
            p.Id,
            p.UserName ?? "",
            p.DisplayName,
            p.Email,
            p.EmploymentStatus,
            p.Clearance,
            p.TwoFactorEnabled,
            p.IsBuiltIn,
            p.LockoutEnd is { } end && end > now,
            [.. roles.Where(r => r.UserId == p.Id).Select(r => r.Name!).Order(StringComparer.Ordinal)],
            [.. departments.Where(d => d.PersonId == p.Id).Select(d => d.Code).Order(StringComparer.Ordinal)],
            [.. projects.Where(d => d.PersonId == p.Id).Select(d => d.Code).Order(StringComparer.Ordinal)],
            p.DepartsOn)).ToList();
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            var error = result.Errors.First();
            throw error.Code == "DuplicateUserName"
                ? CustosException.Conflict("DuplicateUserName")
                : CustosException.Invalid("Identity." + error.Code);
        }
    }
}
