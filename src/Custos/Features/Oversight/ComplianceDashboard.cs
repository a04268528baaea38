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

/// <summary>A form past its due day and not signed off.</summary>
public sealed record OverdueForm(Guid Id, string Number, string Department, DateTimeOffset DueAt);

public sealed record DashboardView(
    IReadOnlyList<OverdueForm> OverdueAssessments, int OverdueAssessmentCount, int OpenAssessments, int AwaitingReview, IReadOnlyList<CorrectiveActionView> OverdueActions,
    int OverdueActionCount, int OpenActions, int AwaitingVerification, int OverdueInspections, int MajorHiddenDangers, IReadOnlyList<IncidentSummary> Incidents, int? ReportsWaiting,
    IReadOnlyList<MonthPoint> IncidentsByMonth, IReadOnlyList<MonthPoint> ActionsByMonth, IReadOnlyList<MonthPoint> AssessmentsOnTime);

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

        // Counted in the database, not from capped lists: every form and action counts.
        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        var forms = db.Set<RiskAssessment>().AsNoTracking();
        var overdueForms = forms.Where(a => a.Status == AssessmentStatus.Open && a.DueAt <= now);
        var departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, ct);
        var overdueList = (await overdueForms.OrderBy(a => a.DueAt).Take(50).Select(a => new { a.Id, a.Number, a.DepartmentId, a.DueAt }).ToListAsync(ct))
            .Select(a => new OverdueForm(a.Id, a.Number, departments.GetValueOrDefault(a.DepartmentId, ""), a.DueAt)).ToList();
        var actionSet = db.Set<CorrectiveAction>().AsNoTracking();
        var overdueActions = actionSet.Where(f => f.Status == FindingStatus.Open && f.DueOn < today);
        var overdueActionList = await assessments.ActionViewsAsync(caller, overdueActions.OrderBy(f => f.DueOn).Take(50), ct);
        var open = await incidents.ListAsync(false, ct);
        var waiting = await reports.WaitingAsync(ct);

        var offset = caller.Engine.Document.UtcOffset;
        var local = now.ToOffset(offset);
        var first = new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, offset).AddMonths(-(Months - 1));
        var months = Enumerable.Range(0, Months).Select(i => first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        string Month(DateTimeOffset at) => at.ToOffset(offset).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var since = first.ToUniversalTime();

        // The incidents the caller may see, as the incident list decides: a handler all but those about themselves, others their own reports.
        var reported = await incidents.ReportedByMonthAsync(since, ct);
        var opened = (await db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.CreatedAt >= since).Select(f => f.CreatedAt).ToListAsync(ct)).GroupBy(Month).ToDictionary(g => g.Key, g => g.Count());
        var verified = (await db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.VerifiedAt >= since).Select(f => f.VerifiedAt!.Value).ToListAsync(ct)).GroupBy(Month).ToDictionary(g => g.Key, g => g.Count());
        var periods = await db.Set<RiskAssessment>().AsNoTracking().Where(a => months.Contains(a.Period))
            .GroupBy(a => a.Period).Select(g => new { g.Key, Total = g.Count(), OnTime = g.Count(a => a.SignedOffAt != null && a.SignedOffAt <= a.DueAt) }).ToListAsync(ct);

        var cycle = InspectionService.CycleOf(local);
        var cycleInspections = db.Set<Inspection>().AsNoTracking().Where(i => i.Cycle == cycle).Select(i => i.Id);
        await audit.RecordNowAsync(AuditActions.AssessmentView, "dashboard", null, AuditOutcome.Success, null, ct);
        return new DashboardView(
            overdueList, await overdueForms.CountAsync(ct), await forms.CountAsync(a => a.Status == AssessmentStatus.Open, ct), await forms.CountAsync(a => a.Status == AssessmentStatus.SignedOff, ct),
            overdueActionList, await overdueActions.CountAsync(ct), await actionSet.CountAsync(f => f.Status == FindingStatus.Open, ct), await actionSet.CountAsync(f => f.Status == FindingStatus.Done, ct),
            await db.Set<Inspection>().CountAsync(i => i.Status == InspectionStatus.Planned && i.PlannedOn < today, ct),
            await actionSet.CountAsync(f => f.Grade == FindingGrade.MajorHiddenDanger && cycleInspections.Contains(f.SourceId), ct),
            [.. open.OrderByDescending(i => i.Overdue).ThenBy(i => i.AuthorityDueAt ?? DateTimeOffset.MaxValue)], waiting,
            [.. months.Select(m => new MonthPoint(m, reported.GetValueOrDefault(m), 0))],
            [.. months.Select(m => new MonthPoint(m, opened.GetValueOrDefault(m), verified.GetValueOrDefault(m)))],
            [.. months.Select(m => periods.FirstOrDefault(p => p.Key == m) is { } p ? new MonthPoint(m, p.OnTime, p.Total) : new MonthPoint(m, 0, 0))]);
    }

    private static bool MayRead(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.Auditor) || caller.Subject.Roles.Contains(Roles.GeneralManager));
}
