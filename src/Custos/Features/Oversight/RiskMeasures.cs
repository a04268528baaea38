using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.Leaving;
using Custos.Features.People;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Oversight;

/// <summary>What is measured: a department (its members and customers) or a project (its members and customers).</summary>
public readonly record struct MeasureScope(Guid? Department, Guid? Project)
{
    public static MeasureScope OfDepartment(Guid department) => new(department, null);

    public static MeasureScope OfProject(Guid project) => new(null, project);
}

/// <summary>One piece of evidence behind a measured item: who, what, when, and the log entry when there is one.</summary>
public sealed record EvidenceRow(string Subject, string Detail, DateTimeOffset? At, long? Entry);

/// <summary>
/// What an assessment's items measure, for one department over one period, from live data (AUD-3): the customers it
/// holds, the rights its people hold, copies out, exports and shares, people without a current agreement or training,
/// leavers, reveals, refusals, alerts and imported lists. Each gives a count and the rows behind it. A project (AUD-4) is
/// measured the same way, by its members and its customers.
/// </summary>
public sealed class RiskMeasures(CustosDbContext db)
{
    /// <summary>At most this many rows of evidence per item; the count is always whole.</summary>
    public const int MaxRows = 200;

    public const string Customers = "customers";
    public const string Grants = "grants";
    public const string CopiesOut = "copies-out";
    public const string Exports = "exports";
    public const string NoAgreement = "no-agreement";
    public const string NoTraining = "no-training";
    public const string Leavers = "leavers";
    public const string Reveals = "reveals";
    public const string Refusals = "refusals";
    public const string Alerts = "alerts";
    public const string Imports = "imports";

    public static readonly IReadOnlyList<string> All = [Customers, Grants, CopiesOut, Exports, NoAgreement, NoTraining, Leavers, Reveals, Refusals, Alerts, Imports];

    /// <summary>The count for a measure; <paramref name="policy"/> judges agreements and training as the policy does.</summary>
    public async Task<long> CountAsync(string measure, MeasureScope scope, DateTimeOffset from, DateTimeOffset to, Caller policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var members = Members(scope);
        var ids = await MemberIdsAsync(scope, ct);
        return measure switch
        {
            Customers => await CustomerQuery(scope).LongCountAsync(ct),
            Grants => await db.AccessGrants.LongCountAsync(g => members.Contains(g.PersonId) && g.RevokedAt == null && g.NotAfter > to && g.NotBefore < to, ct),
            CopiesOut => await OutQuery(members).LongCountAsync(ct),
            Exports => await ExportQuery(members, from, to).LongCountAsync(ct),
            NoAgreement => (await Unbound(members, policy, ct, agreement: true)).Count,
            NoTraining => (await Unbound(members, policy, ct, agreement: false)).Count,
            Leavers => await LeaverQuery(members, from).LongCountAsync(ct),
            Reveals => await EntryQuery(ids, from, to, AuditActions.CustomerReveal, null).LongCountAsync(ct),
            Refusals => await EntryQuery(ids, from, to, null, AuditOutcome.Denied).LongCountAsync(ct),
            Alerts => await AlertQuery(ids, from, to).LongCountAsync(ct),
            Imports => await EntryQuery(ids, from, to, AuditActions.CustomerImport, null).LongCountAsync(ct),
            _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, "Not a measure."),
        };
    }

    /// <summary>The rows behind a measure, newest first, at most <see cref="MaxRows"/>.</summary>
    public async Task<IReadOnlyList<EvidenceRow>> RowsAsync(string measure, MeasureScope scope, DateTimeOffset from, DateTimeOffset to, Caller policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var members = Members(scope);
        var ids = await MemberIdsAsync(scope, ct);
        switch (measure)
        {
            case Customers:
                var byProject = await CustomerQuery(scope).GroupBy(c => new { c.ProjectId, c.Grade })
                    .Select(g => new { g.Key.ProjectId, g.Key.Grade, Count = g.LongCount() }).ToListAsync(ct);
                var projects = await db.Projects.Where(p => p.DepartmentId == scope.Department || p.Id == scope.Project).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
                return [.. byProject.OrderBy(r => r.ProjectId is { } p && projects.TryGetValue(p, out var n) ? n : "").ThenByDescending(r => r.Grade)
                    .Select(r => new EvidenceRow(r.ProjectId is { } p && projects.TryGetValue(p, out var n) ? n : "—", $"{(int)r.Grade}: {r.Count}", null, null))];
            case Grants:
                return [.. (await db.AccessGrants.Where(g => members.Contains(g.PersonId) && g.RevokedAt == null && g.NotAfter > to && g.NotBefore < to)
                        .Join(db.Users, g => g.PersonId, p => p.Id, (g, p) => new { p.DisplayName, g.Actions, g.Field, g.NotAfter, g.GrantedAt })
                        .OrderByDescending(g => g.GrantedAt).Take(MaxRows).ToListAsync(ct))
                    .Select(g => new EvidenceRow(g.DisplayName, g.Actions + (g.Field is null ? "" : " · " + g.Field) + " → " + g.NotAfter.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), g.GrantedAt, null))];
            case CopiesOut:
                return [.. (await OutQuery(members).OrderByDescending(c => c.CreatedAt).Take(MaxRows).Select(c => new { c.PersonName, c.Serial, c.Recipient, c.CreatedAt }).ToListAsync(ct))
                    .Select(c => new EvidenceRow(c.PersonName, $"{c.Serial} · {c.Recipient}", c.CreatedAt, null))];
            case Exports:
                return [.. (await ExportQuery(members, from, to).OrderByDescending(c => c.CreatedAt).Take(MaxRows).Select(c => new { c.PersonName, c.Serial, c.Recipient, c.Customers, c.CreatedAt }).ToListAsync(ct))
                    .Select(c => new EvidenceRow(c.PersonName, $"{c.Serial} → {c.Recipient} ({c.Customers})", c.CreatedAt, null))];
            case NoAgreement:
            case NoTraining:
                return [.. (await Unbound(members, policy, ct, measure == NoAgreement)).Take(MaxRows)];
            case Leavers:
                return [.. (await LeaverQuery(members, from)
                        .Join(db.Users, d => d.PersonId, p => p.Id, (d, p) => new { p.DisplayName, d.LastWorkingDay, d.RecordedAt })
                        .OrderByDescending(d => d.LastWorkingDay).Take(MaxRows).ToListAsync(ct))
                    .Select(d => new EvidenceRow(d.DisplayName, d.LastWorkingDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.RecordedAt, null))];
            case Reveals:
            case Refusals:
            case Imports:
                var query = measure switch
                {
                    Reveals => EntryQuery(ids, from, to, AuditActions.CustomerReveal, null),
                    Imports => EntryQuery(ids, from, to, AuditActions.CustomerImport, null),
                    _ => EntryQuery(ids, from, to, null, AuditOutcome.Denied),
                };
                return [.. (await query.OrderByDescending(r => r.At).Take(MaxRows).Select(r => new { r.ActorName, r.Action, r.TargetType, r.At, r.Sequence, r.Id }).ToListAsync(ct))
                    .Select(r => new EvidenceRow(r.ActorName, $"{r.Action} · {r.TargetType}", r.At, r.Sequence ?? -r.Id))];
            case Alerts:
                return [.. (await AlertQuery(ids, from, to).OrderByDescending(a => a.RaisedAt).Take(MaxRows).Select(a => new { a.PersonName, a.Rule, a.RaisedAt, a.Sequence }).ToListAsync(ct))
                    .Select(a => new EvidenceRow(a.PersonName, a.Rule, a.RaisedAt, a.Sequence))];
            default:
                throw new ArgumentOutOfRangeException(nameof(measure), measure, "Not a measure.");
        }
    }

    private IQueryable<Guid> Members(MeasureScope scope) => scope.Project is { } project
        ? db.ProjectMemberships.Where(m => m.ProjectId == project).Select(m => m.PersonId)
        : db.DepartmentMemberships.Where(m => m.DepartmentId == scope.Department).Select(m => m.PersonId);

    private IQueryable<Features.Customers.Customer> CustomerQuery(MeasureScope scope) => scope.Project is { } project
        ? db.Customers.Where(c => c.ProjectId == project)
        : db.Customers.Where(c => c.DepartmentId == scope.Department);

    /// <summary>The members' ids as the audit log writes them (actor ids are text).</summary>
    private async Task<List<string>> MemberIdsAsync(MeasureScope scope, CancellationToken ct) => [.. (await Members(scope).ToListAsync(ct)).Select(id => id.ToString())];

    private IQueryable<CopyRecord> OutQuery(IQueryable<Guid> members) =>
        db.Set<CopyRecord>().Where(c => members.Contains(c.PersonId) && c.Status == CopyStatus.Issued && (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan));

    private IQueryable<CopyRecord> ExportQuery(IQueryable<Guid> members, DateTimeOffset from, DateTimeOffset to) =>
        db.Set<CopyRecord>().Where(c => members.Contains(c.PersonId) && (c.Kind == CopyKind.Export || c.Kind == CopyKind.Share) && c.CreatedAt >= from && c.CreatedAt < to);

    private IQueryable<Departure> LeaverQuery(IQueryable<Guid> members, DateTimeOffset from)
    {
        var since = DateOnly.FromDateTime(from.UtcDateTime);
        return db.Set<Departure>().Where(d => members.Contains(d.PersonId) && (d.ClosedAt == null || d.LastWorkingDay >= since));
    }

    private IQueryable<AuditRecord> EntryQuery(List<string> ids, DateTimeOffset from, DateTimeOffset to, string? action, AuditOutcome? outcome)
    {
        var query = db.AuditRecords.Where(r => ids.Contains(r.ActorId) && r.At >= from && r.At < to);
        if (action is not null)
        {
            query = query.Where(r => r.Action == action && r.Outcome == AuditOutcome.Success);
        }

        return outcome is { } o ? query.Where(r => r.Outcome == o) : query;
    }

    private IQueryable<AuditAlert> AlertQuery(List<string> ids, DateTimeOffset from, DateTimeOffset to) =>
        db.Set<AuditAlert>().Where(a => ids.Contains(a.PersonId) && a.RaisedAt >= from && a.RaisedAt < to);

    /// <summary>Active members whose agreement (or training) does not count today, as the policy judges it.</summary>
    private async Task<List<EvidenceRow>> Unbound(IQueryable<Guid> members, Caller policy, CancellationToken ct, bool agreement)
    {
        var people = await db.Users.AsNoTracking().Where(p => members.Contains(p.Id) && p.EmploymentStatus == EmploymentStatus.Active)
            .Select(p => new { p.Id, p.DisplayName, p.NdaSignedOn, p.NdaVersion, p.TrainingValidUntil }).ToListAsync(ct);
        var today = policy.Engine.Today(policy.Context.Now);
        var none = new HashSet<Guid>();
        return [.. people
            .Where(p => agreement
                ? !policy.Engine.NdaCurrent(new PolicySubject(p.Id, [], 0, none, none, true, p.NdaSignedOn, p.TrainingValidUntil, GrantSet.Empty) { NdaVersion = p.NdaVersion }, policy.Context)
                : p.TrainingValidUntil is not { } until || until < today)
            .OrderBy(p => p.DisplayName, StringComparer.Ordinal)
            .Select(p => new EvidenceRow(p.DisplayName, (agreement ? p.NdaSignedOn : p.TrainingValidUntil)?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "—", null, null))];
    }
}
