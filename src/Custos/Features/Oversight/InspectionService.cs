using System.Globalization;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Oversight;

public sealed record InspectionSummary(
    Guid Id, string Number, string Project, string Department, string Cycle, DateOnly PlannedOn, string? Inspector, InspectionStatus Status, bool Overdue, int Failed,
    int MajorFindings, int OpenActions);

public sealed record InspectionItemView(string Code, string? Title, string? Measure, long? Value, CheckResult? Result, string? Note, int Findings);

public sealed record InspectionView(
    Guid Id, string Number, Guid ProjectId, string Project, string Department, string Cycle, string Title, DateOnly PlannedOn, string? Inspector, InspectionStatus Status,
    DateTimeOffset MeasuredFrom, DateTimeOffset MeasuredTo, string? ReportedBy, DateTimeOffset? ReportedAt, string? Summary, string? ReInspectedBy, DateTimeOffset? ReInspectedAt,
    string? ReInspectionNote, Guid Stamp, IReadOnlyList<InspectionItemView> Items, IReadOnlyList<CorrectiveActionView> Findings, bool MayInspect);

/// <summary>One line of the checklist as the inspector fills it in.</summary>
public sealed record CheckInput(CheckResult? Result = null, string? Note = null);

/// <summary>An inspection's finding: graded, with its rectification order (owner, deadline).</summary>
public sealed record InspectionFindingInput(FindingGrade Grade, string? Description = null, string? Action = null, string? Owner = null, DateOnly? DueOn = null, string? Item = null);

/// <summary>
/// Compliance inspections every two months (AUD-4). At the start of each two-month cycle every project is put in
/// the plan (a date spread over the cycle, adjustable, an inspector named); the compliance officer fills in the
/// checklist — its measured items pre-filled from the log and ledgers for the two months before — records graded
/// findings with rectification orders, issues the report (projects with a major hidden danger named at once in a
/// bulletin to the general manager and the committee), and re-inspects once every order is done. Read by
/// compliance, auditors and the general manager, the project's department heads and its project managers; anyone
/// else gets a 404.
/// </summary>
public sealed class InspectionService(
    CustosDbContext db, Callers callers, IAuditTrail audit, Notifier notifier, PeopleService people, RiskMeasures measures,
    RiskAssessmentService assessments, CustosSettings custos, TimeProvider time, ILogger<InspectionService> log)
{
    /// <summary>The cycle (its first month, yyyy-MM) a company-time date falls in: January–February, March–April, ….</summary>
    public static string CycleOf(DateTimeOffset local) => new DateTime(local.Year, local.Month - ((local.Month - 1) % 2), 1, 0, 0, 0, DateTimeKind.Unspecified).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Puts every project without one in the current cycle's plan; safe on several nodes. Returns how many.</summary>
    public async Task<int> PlanCycleAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var offset = caller.Engine.Document.UtcOffset;
        var local = time.GetUtcNow().ToOffset(offset);
        var cycle = CycleOf(local);
        var start = new DateTimeOffset(DateTime.ParseExact(cycle, "yyyy-MM", CultureInfo.InvariantCulture), offset);
        var projects = await db.Projects.AsNoTracking().Where(p => !db.Set<Inspection>().Any(i => i.ProjectId == p.Id && i.Cycle == cycle)).OrderBy(p => p.Code).Take(500).ToListAsync(ct);
        if (projects.Count == 0)
        {
            return 0;
        }

        var (version, title, items) = await assessments.CurrentTemplateAsync(ct, TemplateKind.Inspection);
        var days = WorkingDays(start, start.AddMonths(2)).Where(d => d >= DateOnly.FromDateTime(local.DateTime)).ToList();
        var planned = 0;
        var index = await db.Set<Inspection>().CountAsync(i => i.Cycle == cycle, ct);
        foreach (var project in projects)
        {
            var now = time.GetUtcNow();
            var inspection = new Inspection
            {
                Id = Guid.CreateVersion7(now), Number = $"IN-{project.Code}-{start:yyyyMM}", ProjectId = project.Id, DepartmentId = project.DepartmentId, Cycle = cycle,
                PlannedOn = days.Count == 0 ? DateOnly.FromDateTime(local.DateTime) : days[index++ % days.Count], TemplateVersion = version, Title = title, CreatedAt = now,
                MeasuredFrom = start.AddMonths(-2).ToUniversalTime(), MeasuredTo = start.ToUniversalTime(), Stamp = Guid.NewGuid(),
            };
            var order = 0;
            foreach (var item in items)
            {
                inspection.Items.Add(new InspectionItem
                {
                    Id = Guid.CreateVersion7(now), InspectionId = inspection.Id, Order = order++, Code = item.Code, Title = item.Title, Measure = item.Measure,
                    Value = item.Measure is { } m ? await measures.CountAsync(m, MeasureScope.OfProject(project.Id), inspection.MeasuredFrom, inspection.MeasuredTo, caller, ct) : null,
                });
            }

            try
            {
                db.Add(inspection);
                audit.Record(AuditActions.InspectionPlan, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, cycle, inspection.PlannedOn });
                await db.SaveChangesAsync(ct);
                planned++;
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException { IsUniqueViolation: true })
            {
                // Another node planned it first.
                db.ChangeTracker.Clear();
            }
            catch (Audit.AuditWriteException e)
            {
                db.ChangeTracker.Clear();
                log.LogError(e, "The inspection {Number} could not be planned.", inspection.Number);
            }
        }

        if (planned > 0)
        {
            notifier.Add(await db.InRoleAsync(Roles.ComplianceOfficer, ct), "Notify.InspectionsPlanned", null, cycle, planned.ToString(CultureInfo.InvariantCulture));
            await db.SaveChangesAsync(ct);
        }

        return planned;
    }

    /// <summary>The plan: one cycle (default the current one) or all, for the inspections the caller may read.</summary>
    public async Task<IReadOnlyList<InspectionSummary>> ListAsync(string? cycle, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = Visible(caller);
        if (!string.IsNullOrWhiteSpace(cycle))
        {
            query = query.Where(i => i.Cycle == cycle.Trim());
        }

        var today = Today(caller);
        var rows = await query.OrderByDescending(i => i.Cycle).ThenBy(i => i.PlannedOn).ThenBy(i => i.Number).Take(1000)
            .Select(i => new
            {
                i.Id, i.Number, i.ProjectId, i.DepartmentId, i.Cycle, i.PlannedOn, i.InspectorName, i.Status,
                Failed = i.Items.Count(x => x.Result == CheckResult.Fail),
                Major = db.Set<CorrectiveAction>().Count(f => f.SourceId == i.Id && f.Grade == FindingGrade.MajorHiddenDanger),
                Open = db.Set<CorrectiveAction>().Count(f => f.SourceId == i.Id && f.Status != FindingStatus.Verified),
            })
            .ToListAsync(ct);
        var (projects, departments) = await NamesAsync(ct);
        await audit.RecordNowAsync(AuditActions.InspectionView, "inspection", null, AuditOutcome.Success, new { list = true, cycle }, ct);
        return [.. rows.Select(i => new InspectionSummary(
            i.Id, i.Number, projects.GetValueOrDefault(i.ProjectId, ""), departments.GetValueOrDefault(i.DepartmentId, ""), i.Cycle, i.PlannedOn, i.InspectorName, i.Status,
            i.Status == InspectionStatus.Planned && i.PlannedOn < today, i.Failed, i.Major, i.Open))];
    }

    public async Task<InspectionView> GetAsync(Guid id, CancellationToken ct)
    {
        var (caller, inspection) = await LoadAsync(id, AuditActions.InspectionView, write: false, ct);
        await audit.RecordNowAsync(AuditActions.InspectionView, "inspection", inspection.Id.ToString(), AuditOutcome.Success, new { inspection.Number }, ct);
        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>The rows behind a measured checklist item, for the inspection's two months.</summary>
    public async Task<(InspectionView Inspection, InspectionItemView Item, IReadOnlyList<EvidenceRow> Rows)> EvidenceAsync(Guid id, string code, CancellationToken ct)
    {
        var (caller, inspection) = await LoadAsync(id, AuditActions.InspectionView, write: false, ct);
        var item = inspection.Items.SingleOrDefault(i => i.Code == code && i.Measure is not null) ?? throw CustosException.NotFound("RiskItemNotFound");
        var rows = await measures.RowsAsync(item.Measure!, MeasureScope.OfProject(inspection.ProjectId), inspection.MeasuredFrom, inspection.MeasuredTo, caller, ct);
        await audit.RecordNowAsync(AuditActions.InspectionView, "inspection", inspection.Id.ToString(), AuditOutcome.Success, new { inspection.Number, item = code }, ct);
        var view = await ViewAsync(caller, inspection, ct);
        return (view, view.Items.Single(i => i.Code == code), rows);
    }

    /// <summary>Moves a planned inspection to another day of its cycle and names its inspector (a compliance officer).</summary>
    public async Task<InspectionView> AdjustAsync(Guid id, DateOnly plannedOn, string? inspector, Guid? stamp, CancellationToken ct)
    {
        var (caller, inspection) = await LoadForInspectorAsync(id, AuditActions.InspectionPlan, stamp, ct);
        var start = DateOnly.ParseExact(inspection.Cycle + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (plannedOn < Today(caller) || plannedOn < start || plannedOn >= start.AddMonths(2))
        {
            throw CustosException.Invalid("InspectionPlannedOn", inspection.Cycle);
        }

        if (TextInput.CleanOptional(inspector, "inspector") is { } name)
        {
            // Named once, the inspector hands over themselves (or is replaced when they are no longer an active compliance officer).
            if (inspection.InspectorId is { } current && current != caller.PersonId
                && (await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Contains(current) && await db.Users.AnyAsync(u => u.Id == current && u.EmploymentStatus == EmploymentStatus.Active, ct))
            {
                await audit.RecordNowAsync(AuditActions.InspectionPlan, "inspection", inspection.Id.ToString(), AuditOutcome.Denied, new { reason = "not-inspector" }, ct);
                throw new CustosException(CustosError.Forbidden, "NotTheInspector", inspection.InspectorName!);
            }

            var person = await people.FindAsync(name, ct);
            if (person.EmploymentStatus != EmploymentStatus.Active || !(await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Contains(person.Id))
            {
                throw CustosException.Invalid("InspectorNotCompliance", person.DisplayName);
            }

            (inspection.InspectorId, inspection.InspectorName) = (person.Id, person.DisplayName);
        }

        inspection.PlannedOn = plannedOn;
        audit.Record(AuditActions.InspectionPlan, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, plannedOn, inspector = inspection.InspectorId });
        await SaveAsync(inspection, ct);
        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>The inspector fills in the checklist (all lines given at once, or some); all or nothing.</summary>
    public async Task<InspectionView> CheckAsync(Guid id, IReadOnlyDictionary<string, CheckInput> results, Guid? stamp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(results);
        var (caller, inspection) = await LoadForInspectorAsync(id, AuditActions.InspectionCheck, stamp, ct);
        // Every line checked before any changes.
        var lines = new List<(InspectionItem Item, string? Note, CheckInput Input)>();
        foreach (var (code, input) in results)
        {
            var item = inspection.Items.SingleOrDefault(i => i.Code == code) ?? throw CustosException.NotFound("RiskItemNotFound");
            if (input.Result is { } r && !Enum.IsDefined(r))
            {
                throw CustosException.Invalid("InvalidEnum", "result");
            }

            var note = TextInput.CleanOptional(input.Note, "note", multiline: true);
            if (note?.Length > RiskAssessmentService.MaxText)
            {
                throw CustosException.Invalid("TooLong", RiskAssessmentService.MaxText);
            }

            lines.Add((item, note, input));
        }

        var changed = new List<object>();
        foreach (var (item, note, input) in lines)
        {
            var code = item.Code;
            if (item.Result != input.Result || item.Note != note)
            {
                (item.Result, item.Note) = (input.Result, note);
                changed.Add(new { item = code, input.Result });
            }
        }

        if (changed.Count > 0)
        {
            audit.Record(AuditActions.InspectionCheck, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, items = changed });
            await SaveAsync(inspection, ct);
        }

        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>A graded finding with its rectification order; the owner is told.</summary>
    public async Task<InspectionView> AddFindingAsync(Guid id, InspectionFindingInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, inspection) = await LoadForInspectorAsync(id, AuditActions.InspectionFinding, null, ct);
        if (!Enum.IsDefined(input.Grade))
        {
            throw CustosException.Invalid("InvalidEnum", "grade");
        }

        var item = TextInput.CleanOptional(input.Item, "item");
        if (item is not null && inspection.Items.All(i => i.Code != item))
        {
            throw CustosException.Invalid("RiskItemNotFound");
        }

        var owner = await assessments.OwnerAsync(input.Owner, ct);
        var finding = assessments.NewAction(caller, FindingSource.Inspection, inspection.Id, inspection.Number, inspection.DepartmentId, item,
            new FindingInput(input.Description, input.Action, input.Owner, input.DueOn, item), owner);
        finding.Grade = input.Grade;
        db.Add(finding);
        notifier.Add([owner.Id], "Notify.RectificationOrdered", null, inspection.Number, finding.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        audit.Record(AuditActions.InspectionFinding, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, item, input.Grade, action = finding.Id, owner = owner.Id, due = finding.DueOn });
        await SaveAsync(inspection, ct);
        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>
    /// Issues the report: every line checked, every failed line with a finding. A major hidden danger names the
    /// project in a bulletin (通报) to the general manager and the committee, at once.
    /// </summary>
    public async Task<InspectionView> ReportAsync(Guid id, string? summary, Guid? stamp, CancellationToken ct)
    {
        var (caller, inspection) = await LoadForInspectorAsync(id, AuditActions.InspectionReport, stamp, ct);
        var unchecked_ = inspection.Items.Count(i => i.Result is null);
        if (unchecked_ > 0)
        {
            throw CustosException.Invalid("InspectionUnchecked", unchecked_);
        }

        var findings = await db.Set<CorrectiveAction>().Where(f => f.SourceId == inspection.Id).ToListAsync(ct);
        var bare = inspection.Items.Where(i => i.Result == CheckResult.Fail && findings.All(f => f.ItemCode != i.Code)).Select(i => i.Code).ToList();
        if (bare.Count > 0)
        {
            throw CustosException.Invalid("InspectionFailWithoutFinding", string.Join(", ", bare));
        }

        var text = TextInput.CleanOptional(summary, "summary", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey("Inspection.Summary"));
        if (text.Length > RiskAssessmentService.MaxText)
        {
            throw CustosException.Invalid("TooLong", RiskAssessmentService.MaxText);
        }

        (inspection.Status, inspection.ReportedAt, inspection.ReportedBy, inspection.Summary) = (InspectionStatus.Reported, time.GetUtcNow(), caller.Name, text);
        var major = findings.Count(f => f.Grade == FindingGrade.MajorHiddenDanger);
        if (major > 0)
        {
            var project = await db.Projects.Where(p => p.Id == inspection.ProjectId).Select(p => p.Name).SingleAsync(ct);
            notifier.Add((await db.InRoleAsync(Roles.GeneralManager, ct)).Union(await db.InRoleAsync(Roles.CommitteeMember, ct)), "Notify.InspectionBulletin", null,
                inspection.Number, project, major.ToString(CultureInfo.InvariantCulture));
            audit.Record(AuditActions.InspectionBulletin, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, major });
        }

        notifier.Add(await assessments.HeadsOfAsync(inspection.DepartmentId, ct), "Notify.InspectionReported", null, inspection.Number);
        audit.Record(AuditActions.InspectionReport, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, findings = findings.Count, major });
        await SaveAsync(inspection, ct);
        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>
    /// Re-inspection once every rectification order is done: passed, the orders are verified and the inspection
    /// closed; not passed, the done orders go back to their owners with the note.
    /// </summary>
    public async Task<InspectionView> ReInspectAsync(Guid id, bool passed, string? note, Guid? stamp, CancellationToken ct)
    {
        var (caller, inspection) = await LoadAsync(id, AuditActions.InspectionReInspect, write: true, ct);
        await RequireComplianceAsync(caller, inspection, AuditActions.InspectionReInspect, ct);
        if (inspection.InspectorId is { } inspector && inspector != caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.InspectionReInspect, "inspection", inspection.Id.ToString(), AuditOutcome.Denied, new { reason = "not-inspector" }, ct);
            throw new CustosException(CustosError.Forbidden, "NotTheInspector", inspection.InspectorName!);
        }
        if (inspection.Status != InspectionStatus.Reported)
        {
            throw CustosException.Conflict(inspection.Status == InspectionStatus.Planned ? "InspectionNotReported" : "InspectionClosed");
        }

        CheckStamp(inspection, stamp);
        var orders = await db.Set<CorrectiveAction>().Where(f => f.SourceId == inspection.Id).ToListAsync(ct);
        if (orders.Any(f => f.Status == FindingStatus.Open))
        {
            throw CustosException.Conflict("InspectionOrdersOpen", orders.Count(f => f.Status == FindingStatus.Open));
        }

        if (orders.Any(f => f.OwnerId == caller.PersonId && f.Status == FindingStatus.Done))
        {
            await audit.RecordNowAsync(AuditActions.InspectionReInspect, "inspection", inspection.Id.ToString(), AuditOutcome.Denied, new { reason = "owner" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotVerifyAction");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true);
        if (!passed && text is null)
        {
            throw CustosException.Invalid("Required", new TextKey("Action.RefuseReason"));
        }

        if (text?.Length > RiskAssessmentService.MaxText)
        {
            throw CustosException.Invalid("TooLong", RiskAssessmentService.MaxText);
        }

        var now = time.GetUtcNow();
        foreach (var order in orders.Where(f => f.Status == FindingStatus.Done))
        {
            order.Stamp = Guid.NewGuid();
            if (passed)
            {
                (order.Status, order.VerifiedAt, order.VerifiedById, order.VerifiedBy) = (FindingStatus.Verified, now, caller.PersonId, caller.Name);
            }
            else
            {
                assessments.SendBack(order, caller.Name, text!, now);
            }
        }

        (inspection.ReInspectedAt, inspection.ReInspectedBy, inspection.ReInspectionNote) = (now, caller.Name, text);
        if (passed)
        {
            inspection.Status = InspectionStatus.Closed;
        }

        audit.Record(AuditActions.InspectionReInspect, "inspection", inspection.Id.ToString(), detail: new { inspection.Number, passed });
        await SaveAsync(inspection, ct);
        return await ViewAsync(caller, inspection, ct);
    }

    /// <summary>Plans the cycle and escalates planned inspections whose day has passed unreported (once each).</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var told = await PlanCycleAsync(ct);
        var caller = await callers.CurrentAsync(ct);
        var today = Today(caller);
        var set = db.Set<Inspection>();
        var now = time.GetUtcNow();
        var compliance = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
        foreach (var i in await set.AsNoTracking().Where(i => i.Status == InspectionStatus.Planned && i.EscalatedAt == null && i.PlannedOn < today).OrderBy(i => i.PlannedOn).Take(200).ToListAsync(ct))
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (await set.Where(x => x.Id == i.Id && x.EscalatedAt == null && x.Status == InspectionStatus.Planned).ExecuteUpdateAsync(s => s.SetProperty(x => x.EscalatedAt, now), ct) != 1)
                {
                    continue;
                }

                notifier.Add(compliance, "Notify.InspectionOverdue", null, i.Number, i.PlannedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                audit.Record(AuditActions.InspectionEscalate, "inspection", i.Id.ToString(), detail: new { i.Number });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                told++;
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException)
            {
                db.ChangeTracker.Clear();
            }
        }

        return told;
    }

    /// <summary>The inspection report as PDF or XLSX: the checklist with results, the graded findings and their orders, re-inspection.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(Guid id, string format, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, inspection) = await LoadAsync(id, AuditActions.InspectionExport, write: false, ct);
        var view = await ViewAsync(caller, inspection, ct);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        var rows = new List<IReadOnlyList<string>>();
        foreach (var i in view.Items)
        {
            rows.Add([RiskAssessmentService.ItemTitle(text, i.Code, i.Title), i.Value?.ToString(CultureInfo.InvariantCulture) ?? text["Assessment.ByHand"], i.Result is { } r ? text["CheckResult." + r] : "", i.Note ?? ""]);
        }

        foreach (var f in view.Findings)
        {
            rows.Add([text["FindingGrade." + f.Grade] + (f.ItemCode is { } c ? " · " + RiskAssessmentService.ItemTitle(text, c, view.Items.FirstOrDefault(i => i.Code == c)?.Title) : ""),
                f.Description, $"{f.Action} — {f.Owner}, {f.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", text["ActionStatus." + f.Status]]);
        }

        rows.Add([text["Inspection.Summary"], view.Summary ?? "", view.ReportedBy is null ? "" : $"{view.ReportedBy} {At(view.ReportedAt)}", ""]);
        rows.Add([text["Inspection.ReInspection"], view.ReInspectionNote ?? "", view.ReInspectedBy is null ? "" : $"{view.ReInspectedBy} {At(view.ReInspectedAt)}", text["InspectionStatus." + view.Status]]);
        var table = new Web.Documents.RegisterTable(
            $"{view.Title} {view.Number}",
            text["Inspection.Caption", view.Project, view.Department, view.PlannedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), At(view.MeasuredFrom), At(view.MeasuredTo), view.Inspector ?? "", At(time.GetUtcNow())],
            [text["Assessment.Item"], text["Assessment.Measured"], text["Inspection.Result"], text["Inspection.Note"]],
            rows);
        await audit.RecordNowAsync(AuditActions.InspectionExport, "inspection", inspection.Id.ToString(), AuditOutcome.Success, new { inspection.Number, format }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], view.Number, time.GetUtcNow());
    }

    /// <summary>The bulletin (通报) of a cycle: the projects with major hidden dangers, their findings and where the orders stand. Compliance, auditors, the general manager.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> BulletinAsync(string cycle, string format, IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var caller = await callers.CurrentAsync(ct);
        // The bulletin is addressed to the general manager and the committee: its members read it too.
        if (!IsReader(caller) && !(caller.Subject.Active && caller.Subject.Roles.Contains(Roles.CommitteeMember)))
        {
            await audit.RecordNowAsync(AuditActions.InspectionBulletin, "inspection", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReadBulletin");
        }

        var key = TextInput.Clean(cycle, "cycle");
        var inspections = await db.Set<Inspection>().AsNoTracking().Where(i => i.Cycle == key && i.Status != InspectionStatus.Planned).ToListAsync(ct);
        var ids = inspections.Select(i => i.Id).ToList();
        var major = await db.Set<CorrectiveAction>().AsNoTracking().Where(f => ids.Contains(f.SourceId) && f.Grade == FindingGrade.MajorHiddenDanger).OrderBy(f => f.SourceNumber).ToListAsync(ct);
        var (projects, departments) = await NamesAsync(ct);
        var rows = major.Select(f =>
        {
            var i = inspections.Single(x => x.Id == f.SourceId);
            return (IReadOnlyList<string>)[projects.GetValueOrDefault(i.ProjectId, ""), departments.GetValueOrDefault(i.DepartmentId, ""), i.Number, f.Description,
                $"{f.Action} — {f.OwnerName}, {f.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}", text["ActionStatus." + f.Status]];
        }).ToList();
        var table = new Web.Documents.RegisterTable(
            text["Inspection.BulletinTitle", key], text["Inspection.BulletinCaption", inspections.Count, major.Select(f => f.SourceId).Distinct().Count(), caller.Name],
            [text["Inspection.Project"], text["Label.Department"], text["Inspection.Number"], text["Action.Finding"], text["Inspection.Order"], text["Action.Status"]], rows);
        await audit.RecordNowAsync(AuditActions.InspectionBulletin, "inspection", null, AuditOutcome.Success, new { cycle = key, format, projects = rows.Count }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], "bulletin-" + key, time.GetUtcNow());
    }

    public async Task<bool> IsComplianceAsync(CancellationToken ct) => IsCompliance(await callers.CurrentAsync(ct));

    /// <summary>The cycles with inspections the caller may read, newest first.</summary>
    public async Task<IReadOnlyList<string>> CyclesAsync(CancellationToken ct) =>
        await Visible(await callers.CurrentAsync(ct)).Select(i => i.Cycle).Distinct().OrderByDescending(c => c).Take(60).ToListAsync(ct);

    private static bool IsCompliance(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer);

    private static bool IsReader(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.Auditor) || caller.Subject.Roles.Contains(Roles.GeneralManager));

    /// <summary>Whether the caller reads the inspection: readers all; a department head the department's; a project manager the project's.</summary>
    private static bool MayRead(Caller caller, Inspection i) =>
        IsReader(caller) || (caller.PersonId != Guid.Empty && caller.Subject.Active
            && ((caller.Subject.Roles.Contains(Roles.DepartmentHead) && caller.Departments.Contains(i.DepartmentId))
                || (caller.Subject.Roles.Contains(Roles.ProjectManager) && caller.Projects.Contains(i.ProjectId))));

    private IQueryable<Inspection> Visible(Caller caller)
    {
        var query = db.Set<Inspection>().AsNoTracking();
        if (IsReader(caller))
        {
            return query;
        }

        var active = caller.PersonId != Guid.Empty && caller.Subject.Active;
        var departments = active && caller.Subject.Roles.Contains(Roles.DepartmentHead) ? caller.Departments.ToList() : [];
        var projects = active && caller.Subject.Roles.Contains(Roles.ProjectManager) ? caller.Projects.ToList() : [];
        return query.Where(i => departments.Contains(i.DepartmentId) || projects.Contains(i.ProjectId));
    }

    private async Task<(Caller Caller, Inspection Inspection)> LoadAsync(Guid id, string action, bool write, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var set = write ? db.Set<Inspection>() : db.Set<Inspection>().AsNoTracking();
        var inspection = await set.Include(i => i.Items).SingleOrDefaultAsync(i => i.Id == id, ct);
        if (inspection is null || !MayRead(caller, inspection))
        {
            await audit.RecordNowAsync(action, "inspection", id.ToString(), AuditOutcome.Denied, new { reason = inspection is null ? "not-found" : "not-reader" }, ct);
            throw CustosException.NotFound("InspectionNotFound");
        }

        inspection.Items.Sort((a, b) => a.Order.CompareTo(b.Order));
        return (caller, inspection);
    }

    /// <summary>A change to a planned inspection: a compliance officer (the named inspector if one is named).</summary>
    private async Task<(Caller Caller, Inspection Inspection)> LoadForInspectorAsync(Guid id, string action, Guid? stamp, CancellationToken ct)
    {
        var (caller, inspection) = await LoadAsync(id, action, write: true, ct);
        await RequireComplianceAsync(caller, inspection, action, ct);
        if (inspection.InspectorId is { } inspector && inspector != caller.PersonId && action != AuditActions.InspectionPlan)
        {
            await audit.RecordNowAsync(action, "inspection", inspection.Id.ToString(), AuditOutcome.Denied, new { reason = "not-inspector" }, ct);
            throw new CustosException(CustosError.Forbidden, "NotTheInspector", inspection.InspectorName!);
        }

        if (inspection.Status != InspectionStatus.Planned)
        {
            throw CustosException.Conflict("InspectionReported");
        }

        CheckStamp(inspection, stamp);
        return (caller, inspection);
    }

    private async Task RequireComplianceAsync(Caller caller, Inspection inspection, string action, CancellationToken ct)
    {
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(action, "inspection", inspection.Id.ToString(), AuditOutcome.Denied, new { reason = "not-compliance" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotInspect");
        }
    }

    private static void CheckStamp(Inspection inspection, Guid? stamp)
    {
        if (stamp is { } s && s != inspection.Stamp)
        {
            throw CustosException.Conflict("InspectionChanged");
        }
    }

    private async Task SaveAsync(Inspection inspection, CancellationToken ct)
    {
        inspection.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("InspectionChanged");
        }
    }

    private async Task<InspectionView> ViewAsync(Caller caller, Inspection i, CancellationToken ct)
    {
        var findings = await assessments.ActionViewsAsync(caller, db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.SourceId == i.Id).OrderByDescending(f => f.Grade).ThenBy(f => f.DueOn), ct);
        var (projects, departments) = await NamesAsync(ct);
        return new InspectionView(
            i.Id, i.Number, i.ProjectId, projects.GetValueOrDefault(i.ProjectId, ""), departments.GetValueOrDefault(i.DepartmentId, ""), i.Cycle, i.Title, i.PlannedOn, i.InspectorName,
            i.Status, i.MeasuredFrom, i.MeasuredTo, i.ReportedBy, i.ReportedAt, i.Summary, i.ReInspectedBy, i.ReInspectedAt, i.ReInspectionNote, i.Stamp,
            [.. i.Items.OrderBy(x => x.Order).Select(x => new InspectionItemView(x.Code, x.Title, x.Measure, x.Value, x.Result, x.Note, findings.Count(f => f.ItemCode == x.Code)))],
            findings, IsCompliance(caller) && (i.InspectorId is null || i.InspectorId == caller.PersonId));
    }

    private async Task<(Dictionary<Guid, string> Projects, Dictionary<Guid, string> Departments)> NamesAsync(CancellationToken ct) =>
        (await db.Projects.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct), await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, ct));

    private DateOnly Today(Caller caller) => caller.Engine.Today(time.GetUtcNow());

    private static IEnumerable<DateOnly> WorkingDays(DateTimeOffset from, DateTimeOffset to)
    {
        for (var d = from; d < to; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday)
            {
                yield return DateOnly.FromDateTime(d.DateTime);
            }
        }
    }
}
