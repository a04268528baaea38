using System.Text.Json;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Organisation;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.People;

/// <summary>
/// What a change gives a person: roles to add, departments and projects to join (by code), a higher clearance.
/// Only additions: what takes rights away is done at once and never needs this (ACC-2, ACC-4).
/// </summary>
[Contract]
public sealed record RightsChange(
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Departments,
    IReadOnlyList<string> Projects,
    Clearance? Clearance)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static readonly RightsChange None = new([], [], [], null);

    public bool IsEmpty => Roles.Count == 0 && Departments.Count == 0 && Projects.Count == 0 && Clearance is null;

    public static RightsChange OfRoles(params string[] roles) => None with { Roles = roles };

    public RightsChange Plus(RightsChange other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new RightsChange(
            [.. Roles.Union(other.Roles, StringComparer.Ordinal)],
            [.. Departments.Union(other.Departments, StringComparer.Ordinal)],
            [.. Projects.Union(other.Projects, StringComparer.Ordinal)],
            (Clearance, other.Clearance) switch
            {
                (null, var c) => c,
                (var c, null) => c,
                var (a, b) => (Clearance)Math.Max((int)a!.Value, (int)b!.Value),
            });
    }

    /// <summary>The stored form: stable, sorted, so two requests for the same change compare equal.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new RightsChange([.. Roles.Order(StringComparer.Ordinal)], [.. Departments.Order(StringComparer.Ordinal)], [.. Projects.Order(StringComparer.Ordinal)], Clearance), Json);

    public static RightsChange FromJson(string json) =>
        JsonSerializer.Deserialize<RightsChange>(json, Json) ?? throw new InvalidOperationException("A stored rights change is empty.");
}

/// <summary>Carries out a change of rights that needs no (more) approval, recording each part with its before and after.</summary>
[Contract]
public static class RightsChanges
{
    /// <summary>Adds what <paramref name="change"/> gives; ends the person's sessions, so the new rights hold from a fresh sign-in.</summary>
    public static async Task ApplyAsync(CustosDbContext db, UserManager<Person> users, IAuditTrail audit, Person person, RightsChange change, Guid? request, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(change);
        if (change.Roles.Count > 0)
        {
            var before = await users.GetRolesAsync(person);
            var add = change.Roles.Except(before, StringComparer.Ordinal).ToList();
            // The committee's role is put in force only while its seat is current: a request approved after the seat
            // ended, or one that never had a seat, gives nothing of it.
            if (request is not null && add.Contains(Roles.CommitteeMember)
                && !await db.Set<Committee.CommitteeSeat>().AnyAsync(s => s.PersonId == person.Id && s.EndedAt == null, ct))
            {
                add.Remove(Roles.CommitteeMember);
            }

            if (add.Count > 0)
            {
                Check(await users.AddToRolesAsync(person, add));
            }

            audit.Record(AuditActions.PersonRolesChange, "person", person.Id.ToString(), detail: new { before = before.Order(), after = before.Union(add).Order(), request });
        }

        if (change.Departments.Count > 0 || change.Projects.Count > 0)
        {
            var beforeDepartments = await db.DepartmentMemberships.Where(m => m.PersonId == person.Id).Select(m => m.Department!.Code).ToListAsync(ct);
            var beforeProjects = await db.ProjectMemberships.Where(m => m.PersonId == person.Id).Select(m => m.Project!.Code).ToListAsync(ct);
            var departments = await db.Departments.Where(d => change.Departments.Contains(d.Code) && !beforeDepartments.Contains(d.Code)).ToListAsync(ct);
            var projects = await db.Projects.Where(p => change.Projects.Contains(p.Code) && !beforeProjects.Contains(p.Code)).ToListAsync(ct);
            db.DepartmentMemberships.AddRange(departments.Select(d => new DepartmentMembership { PersonId = person.Id, DepartmentId = d.Id }));
            db.ProjectMemberships.AddRange(projects.Select(p => new ProjectMembership { PersonId = person.Id, ProjectId = p.Id }));
            audit.Record(AuditActions.PersonMembershipsChange, "person", person.Id.ToString(), detail: new
            {
                before = new { departments = beforeDepartments.Order(), projects = beforeProjects.Order() },
                after = new { departments = beforeDepartments.Union(departments.Select(d => d.Code)).Order(), projects = beforeProjects.Union(projects.Select(p => p.Code)).Order() },
                request,
            });
        }

        if (change.Clearance is { } clearance && clearance > person.Clearance)
        {
            var before = person.Clearance;
            person.Clearance = clearance;
            audit.Record(AuditActions.PersonClearanceChange, "person", person.Id.ToString(), detail: new { before = before.ToString(), after = clearance.ToString(), request });
        }

        person.SecurityStamp = Guid.NewGuid().ToString("N");
        await db.SaveChangesAsync(ct);
        await Accounts.Sessions.EndAllAsync(db, person.Id, "rights", now, ct);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw CustosException.Invalid("Identity." + result.Errors.First().Code);
        }
    }
}
