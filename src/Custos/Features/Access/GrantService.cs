using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Access;

[Contract]
public sealed record GrantView(
    Guid Id, Guid PersonId, string Person, Guid? Customer, string? Department, string? Field, string Actions, bool ViewOnly,
    DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset? RevokedAt, string? RevokedBy, Guid? Request, bool Active);

public sealed record DelegationView(Guid Id, string From, string To, DateTimeOffset Starts, DateTimeOffset Ends, bool Active);

/// <summary>
/// Grants (ACC-4, ACC-5): one's own, or everyone's for administrators and the compliance officer; revoking
/// one takes effect on the next request on every node, because every request reads live grants. Also the
/// delegations of approvers who are away.
/// </summary>
[Contract]
public sealed class GrantService(CustosDbContext db, Callers callers, IAuditTrail audit, TimeProvider time)
{
    public async Task<IReadOnlyList<GrantView>> ListAsync(bool everyone, bool includeEnded, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        if (everyone && !MaySeeAll(viewer))
        {
            await audit.RecordNowAsync(AuditActions.GrantList, "grant", null, AuditOutcome.Denied, new { reason = "no-role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotSeeGrants");
        }

        var now = time.GetUtcNow();
        var query = db.AccessGrants.AsNoTracking();
        if (!everyone)
        {
            query = query.Where(g => g.PersonId == viewer.PersonId);
        }

        if (!includeEnded)
        {
            query = query.Where(g => g.RevokedAt == null && g.NotAfter > now);
        }

        var grants = await query.OrderByDescending(g => g.GrantedAt).Take(1000).ToListAsync(ct);
        var people = grants.Select(g => g.PersonId).Distinct().ToList();
        var names = await db.Users.Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var departments = grants.Where(g => g.DepartmentId is not null).Select(g => g.DepartmentId!.Value).Distinct().ToList();
        var codes = await db.Departments.Where(d => departments.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Code, ct);
        if (everyone)
        {
            audit.Record(AuditActions.GrantList, "grant", null, detail: new { everyone, count = grants.Count });
            await db.SaveChangesAsync(ct);
        }

        return [.. grants.Select(g => new GrantView(
            g.Id, g.PersonId, names.GetValueOrDefault(g.PersonId, "?"), g.CustomerId, g.DepartmentId is { } d ? codes.GetValueOrDefault(d) : null,
            g.Field, g.Actions, g.ViewOnly, g.NotBefore, g.NotAfter, g.RevokedAt, g.RevokedBy, g.RequestId, g.RevokedAt is null && g.ToGrant().ActiveAt(now)))];
    }

    /// <summary>Ends a grant now. Its holder may give it up; administrators and the compliance officer may revoke any.</summary>
    public async Task RevokeAsync(Guid id, string? reason, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var grant = await db.AccessGrants.SingleOrDefaultAsync(g => g.Id == id, ct);
        if (grant is null || (grant.PersonId != viewer.PersonId && !MaySeeAll(viewer)))
        {
            throw CustosException.NotFound("GrantNotFound");
        }

        var now = time.GetUtcNow();
        if (grant.RevokedAt is not null || grant.NotAfter <= now)
        {
            throw CustosException.Conflict("GrantEnded");
        }

        reason = TextInput.CleanOptional(reason, "reason", multiline: true);
        grant.RevokedAt = now;
        grant.RevokedBy = viewer.Name;
        grant.RevokeReason = reason is { Length: > 500 } ? reason[..500] : reason;
        audit.Record(AuditActions.GrantRevoke, "grant", grant.Id.ToString(), detail: new { person = grant.PersonId, own = grant.PersonId == viewer.PersonId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Ends every live grant of a person who leaves (PPL-3), and every delegation from or to them, in the caller's
    /// transaction and save; returns the grants' ids and the number of delegations for the caller's audit entry.
    /// </summary>
    public async Task<(IReadOnlyList<Guid> Grants, int Delegations)> EndAllOfAsync(Guid person, string by, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var grants = await db.AccessGrants.Where(g => g.PersonId == person && g.RevokedAt == null && g.NotAfter > now).ToListAsync(ct);
        foreach (var grant in grants)
        {
            grant.RevokedAt = now;
            grant.RevokedBy = by;
            grant.RevokeReason = reason;
        }

        var delegations = await db.Delegations.Where(d => (d.FromId == person || d.ToId == person) && d.RevokedAt == null && d.Ends > now).ToListAsync(ct);
        foreach (var delegation in delegations)
        {
            delegation.RevokedAt = now;
        }

        return ([.. grants.Select(g => g.Id)], delegations.Count);
    }

    /// <summary>Lets <paramref name="toUser"/> approve in the caller's place from now until <paramref name="ends"/>.</summary>
    public async Task<DelegationView> DelegateAsync(string toUser, DateTimeOffset ends, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        if (!viewer.Decide(PolicyAction.Approve).Allowed)
        {
            throw new CustosException(CustosError.Forbidden, "MayNotDelegate");
        }

        var name = toUser?.Trim() ?? "";
        var to = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == name, ct) ?? throw CustosException.NotFound("PersonNotFound");
        var now = time.GetUtcNow();
        if (to.Id == viewer.PersonId)
        {
            throw CustosException.Invalid("DelegateSelf");
        }

        if (ends <= now || ends > now.AddDays(90))
        {
            throw CustosException.Invalid("DelegationEnds");
        }

        var delegation = new Delegation { Id = Guid.CreateVersion7(now), FromId = viewer.PersonId, ToId = to.Id, Starts = now, Ends = ends, CreatedAt = now };
        db.Delegations.Add(delegation);
        audit.Record(AuditActions.DelegationCreate, "person", to.Id.ToString(), detail: new { from = viewer.PersonId, ends });
        await db.SaveChangesAsync(ct);
        return new DelegationView(delegation.Id, viewer.Name, to.DisplayName, delegation.Starts, delegation.Ends, true);
    }

    public async Task<IReadOnlyList<DelegationView>> DelegationsAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var now = time.GetUtcNow();
        var items = await db.Delegations.AsNoTracking().Where(d => (d.FromId == viewer.PersonId || d.ToId == viewer.PersonId) && d.RevokedAt == null && d.Ends > now)
            .OrderBy(d => d.Ends).ToListAsync(ct);
        var people = items.SelectMany(d => new[] { d.FromId, d.ToId }).Distinct().ToList();
        var names = await db.Users.Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. items.Select(d => new DelegationView(d.Id, names.GetValueOrDefault(d.FromId, "?"), names.GetValueOrDefault(d.ToId, "?"), d.Starts, d.Ends, d.Starts <= now))];
    }

    public async Task EndDelegationAsync(Guid id, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var delegation = await db.Delegations.SingleOrDefaultAsync(d => d.Id == id && d.FromId == viewer.PersonId && d.RevokedAt == null, ct)
            ?? throw CustosException.NotFound("DelegationNotFound");
        delegation.RevokedAt = time.GetUtcNow();
        audit.Record(AuditActions.DelegationRevoke, "person", delegation.ToId.ToString());
        await db.SaveChangesAsync(ct);
    }

    private static bool MaySeeAll(Caller viewer) => viewer.Decide(PolicyAction.Administer).Allowed || viewer.Decide(PolicyAction.Audit).Allowed;
}
