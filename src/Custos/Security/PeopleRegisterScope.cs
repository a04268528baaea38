using Custos.Data;
using Custos.Features.People;
using Custos.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Custos.Security;

/// <summary>
/// Who reads a register of people — the NDA register, training results (PPL-1, PPL-2): the compliance officer and
/// auditors everyone, a department head the people of their own departments, anyone else nobody (the refusal is
/// recorded). Judged by the roles the caller acts with (a token's scopes narrow them).
/// </summary>
public sealed record PeopleRegisterScope(bool Everyone, IReadOnlySet<Guid> Departments)
{
    public static readonly IReadOnlyList<string> ReadsEveryone = [Roles.ComplianceOfficer, Roles.Auditor];

    /// <summary>The caller's scope, or a recorded refusal (403 <paramref name="refusal"/>).</summary>
    public static async Task<PeopleRegisterScope> RequireAsync(Caller caller, IAuditTrail audit, string action, string targetType, string refusal, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(audit);
        var everyone = caller.Subject.Roles.Any(ReadsEveryone.Contains);
        var heads = caller.Subject.Roles.Contains(Roles.DepartmentHead) ? caller.Departments : new HashSet<Guid>();
        if (!everyone && heads.Count == 0)
        {
            await audit.RecordNowAsync(action, targetType, null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, refusal);
        }

        return new PeopleRegisterScope(everyone, heads);
    }

    /// <summary>The people in scope (never the built-in administrator), by user name.</summary>
    public IQueryable<Person> People(CustosDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var heads = Departments;
        var everyone = Everyone;
        return db.Users.AsNoTracking()
            .Where(p => !p.IsBuiltIn && (everyone || db.DepartmentMemberships.Any(m => m.PersonId == p.Id && heads.Contains(m.DepartmentId))))
            .OrderBy(p => p.UserName);
    }

    /// <summary>Each person's departments by name, as one text ("销售部、客服中心").</summary>
    public static async Task<Func<Guid, string>> DepartmentNamesAsync(CustosDbContext db, IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var names = (await (from m in db.DepartmentMemberships join d in db.Departments on m.DepartmentId equals d.Id where people.Contains(m.PersonId) select new { m.PersonId, d.Name })
            .ToListAsync(ct)).ToLookup(d => d.PersonId, d => d.Name);
        return person => string.Join("、", names[person].Order(StringComparer.Ordinal));
    }
}
