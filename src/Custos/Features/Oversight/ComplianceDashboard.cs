using System.Globalization;
using Custos.Data;
using Custos.Features.Incidents;
using Custos.Features.People;
using Custos.Features.Whistleblowing;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Oversight;

/// <summary>One month of a trend: its label (yyyy-MM) and up to two values (e.g. opened and closed).</summary>
public sealed record MonthPoint(string Month, int Value, int Second);

public sealed record DashboardView(
    IReadOnlyList<AssessmentSummary> OverdueAssessments, int OpenAssessments, int AwaitingReview, IReadOnlyList<CorrectiveActionView> OverdueActions, int OpenActions,
    int AwaitingVerification, IReadOnlyList<IncidentSummary> Incidents, int? ReportsWaiting, IReadOnlyList<MonthPoint> IncidentsByMonth,
    IReadOnlyList<MonthPoint> ActionsByMonth, IReadOnlyList<MonthPoint> AssessmentsOnTime);

/// <summary>
/// The compliance dashboard (AUD-3, AUD-4, INC-2, INC-4): overdue assessments and those waiting for review, open and
/// overdue corrective actions, open incidents with their legal clocks, anonymous reports waiting (for designated
/// handlers only), and twelve months of trends. Compliance officers, auditors and the general manager.
/// </summary>
public sealed class ComplianceDashboard(
    CustosDbContext db, Callers callers, IAuditTrail audit, RiskAssessmentService assessments, IncidentService incidents, WhistleService reports, TimeProvider time)
{
    public const int Months = 12;

    public async Task<bool> MayReadAsync(CancellationToken ct) => MayRead(await callers.CurrentAsync(ct));

    public async Task<DashboardView> ReadAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!MayRead(caller))
        {
            await audit.RecordNowAsync(AuditActions.AssessmentView, "dashboard", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReadDashboard");
        }

        var forms = await assessments.ListAsync(null, ct);
        var actions = await assessments.ActionsAsync(false, ct);
        var open = await incidents.ListAsync(false, ct);
        int? waiting = null;
        if (await reports.IsHandlerAsync(ct))
        {
            waiting = await db.Set<WhistleReport>().CountAsync(r => r.Status == WhistleStatus.Received && (r.SubjectPersonId == null || r.SubjectPersonId != caller.PersonId), ct);
        }

        var offset = caller.Engine.Document.UtcOffset;
        var now = time.GetUtcNow().ToOffset(offset);
        var first = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, offset).AddMonths(-(Months - 1));
        var months = Enumerable.Range(0, Months).Select(i => first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        string Month(DateTimeOffset at) => at.ToOffset(offset).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var since = first.ToUniversalTime();

        var reported = (await db.Set<Incident>().AsNoTracking().Where(i => i.ReportedAt >= since).Select(i => i.ReportedAt).ToListAsync(ct)).GroupBy(Month).ToDictionary(g => g.Key, g => g.Count());
        var opened = (await db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.CreatedAt >= since).Select(f => f.CreatedAt).ToListAsync(ct)).GroupBy(Month).ToDictionary(g => g.Key, g => g.Count());
        var verified = (await db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.VerifiedAt >= since).Select(f => f.VerifiedAt!.Value).ToListAsync(ct)).GroupBy(Month).ToDictionary(g => g.Key, g => g.Count());
        var periods = await db.Set<RiskAssessment>().AsNoTracking().Where(a => months.Contains(a.Period))
            .GroupBy(a => a.Period).Select(g => new { g.Key, Total = g.Count(), OnTime = g.Count(a => a.SignedOffAt != null && a.SignedOffAt <= a.DueAt) }).ToListAsync(ct);

        return new DashboardView(
            [.. forms.Where(f => f.Overdue)], forms.Count(f => f.Status == AssessmentStatus.Open), forms.Count(f => f.Status == AssessmentStatus.SignedOff),
            [.. actions.Where(a => a.Overdue)], actions.Count(a => a.Status == FindingStatus.Open), actions.Count(a => a.Status == FindingStatus.Done),
            [.. open.OrderByDescending(i => i.Overdue).ThenBy(i => i.AuthorityDueAt ?? DateTimeOffset.MaxValue)], waiting,
            [.. months.Select(m => new MonthPoint(m, reported.GetValueOrDefault(m), 0))],
            [.. months.Select(m => new MonthPoint(m, opened.GetValueOrDefault(m), verified.GetValueOrDefault(m)))],
            [.. months.Select(m => periods.FirstOrDefault(p => p.Key == m) is { } p ? new MonthPoint(m, p.OnTime, p.Total) : new MonthPoint(m, 0, 0))]);
    }

    private static bool MayRead(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.Auditor) || caller.Subject.Roles.Contains(Roles.GeneralManager));
}
