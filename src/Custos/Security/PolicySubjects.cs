using System.Net;
using Custos.Data;
using Custos.Features.People;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;

namespace Custos.Security;

/// <summary>Builds the policy's view of a person from the database: roles, memberships, preconditions and active grants.</summary>
public static class PolicySubjects
{
    public static async Task<(Person Person, PolicySubject Subject)?> LoadAsync(CustosDbContext db, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (person is null)
        {
            return null;
        }

        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == id select r.Name!).ToListAsync(ct);
        var departments = await db.DepartmentMemberships.Where(m => m.PersonId == id).Select(m => m.DepartmentId).ToListAsync(ct);
        var projects = await db.ProjectMemberships.Where(m => m.PersonId == id).Select(m => m.ProjectId).ToListAsync(ct);
        var grants = await db.AccessGrants.AsNoTracking()
            .Where(g => g.PersonId == id && g.RevokedAt == null && g.NotAfter > now)
            .ToListAsync(ct);
        var subject = new PolicySubject(
            id,
            roles,
            (int)person.Clearance,
            departments.ToHashSet(),
            projects.ToHashSet(),
            person.EmploymentStatus == EmploymentStatus.Active,
            person.NdaSignedOn,
            person.TrainingValidUntil,
            new GrantSet(grants.Select(g => g.ToGrant())))
        {
            LastWorkingDay = person.DepartsOn,
            NdaVersion = person.NdaVersion,
        };
        return (person, subject);
    }

    /// <summary>The client's address as the policy sees it; null for the command line (inside the server's own process).</summary>
    public static IPAddress? Address(string? clientAddress) =>
        IPAddress.TryParse(clientAddress, out var address) ? address : null;
}
