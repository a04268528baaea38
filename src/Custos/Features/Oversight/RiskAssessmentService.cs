using System.Globalization;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Oversight;

public sealed record AssessmentSummary(
    Guid Id, string Number, Guid DepartmentId, string Department, string Period, AssessmentStatus Status, DateTimeOffset DueAt, bool Overdue, int Scored, int Items,
    int TotalScore, int HighItems, int OpenActions);

public sealed record RiskItemView(string Code, string? Title, string? Measure, long? Value, string? Answer, int? Likelihood, int? Impact, int? Score, bool High, int Actions);

public sealed record CorrectiveActionView(
    Guid Id, FindingSource Source, Guid SourceId, string SourceNumber, string Department, string? ItemCode, string Description, string Action, string Owner, DateOnly DueOn,
    FindingStatus Status, bool Overdue, DateTimeOffset? DoneAt, string? DoneNote, string? VerifiedBy, DateTimeOffset? VerifiedAt, string? RefusedBy, string? RefusalNote,
    FindingGrade? Grade, bool MayComplete, bool MayVerify);

public sealed record AssessmentView(
    Guid Id, string Number, Guid DepartmentId, string Department, string Period, string Title, int TemplateVersion, AssessmentStatus Status, DateTimeOffset OpenedAt,
    DateTimeOffset MeasuredFrom, DateTimeOffset MeasuredTo, DateTimeOffset DueAt, bool Overdue, string? SignedOffBy, DateTimeOffset? SignedOffAt, string? Conclusion,
    string? ReviewedBy, DateTimeOffset? ReviewedAt, string? ReviewNote, Guid Stamp, IReadOnlyList<RiskItemView> Items, IReadOnlyList<CorrectiveActionView> Actions,
    bool MayAnswer, bool MayReview);

/// <summary>The head's answer to one item: what they found, likelihood and impact 1–5; the stamp of the page they answered on.</summary>
public sealed record AnswerInput(string? Answer = null, int? Likelihood = null, int? Impact = null, Guid? Stamp = null);

/// <summary>A finding and its corrective action: what is wrong, what is to be done, by whom (user name), by when.</summary>
public sealed record FindingInput(string? Description = null, string? Action = null, string? Owner = null, DateOnly? DueOn = null, string? Item = null);

public sealed record TrendPoint(string Period, int TotalScore, int HighItems, AssessmentStatus Status);

public sealed record DepartmentTrend(Guid DepartmentId, string Department, IReadOnlyList<TrendPoint> Points);

public sealed record TemplateView(int Version, string Title, string Content, string? PublishedBy, DateTimeOffset? PublishedAt, IReadOnlyList<TemplateItem> Items);

/// <summary>
/// Monthly departmental risk assessments 《客户信息保密风险评估表》 (AUD-3). On the first working day of each month
/// every department gets its form, its items measured from live data for the month before (with the rows behind
/// each); the department head answers and scores each item by likelihood and impact, adds findings — each a
/// corrective action with an owner and a due date, tracked until done and verified by someone else — and signs it
/// off; a compliance officer reviews it. Reminders before the due day, escalation to compliance after it. Heads see
/// their departments' forms; compliance officers, auditors and the general manager all; anyone else a 404.
/// </summary>
public sealed partial class RiskAssessmentService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, Notifier notifier, PeopleService people, RiskMeasures measures,
    OversightSettings settings, CustosSettings custos, TimeProvider time, ILogger<RiskAssessmentService> log)
{
    public const int MaxText = 2000;

    public OversightSettings Settings => settings;

    /// <summary>
    /// Opens this month's assessment for every department that has none, once the month's first working day has
    /// come (company time); safe to run on several nodes at once (one form per department and month). Returns how many.
    /// </summary>
    public async Task<int> OpenMonthAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var offset = caller.Engine.Document.UtcOffset;
        var now = time.GetUtcNow();
        var local = now.ToOffset(offset);
        var monthStart = new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, offset);
        var firstWorking = monthStart;
        while (firstWorking.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            firstWorking = firstWorking.AddDays(1);
        }

        if (local < firstWorking)
        {
            return 0;
        }

        var period = local.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var due = new DateTimeOffset(local.Year, local.Month, settings.DueDay, 0, 0, 0, offset).AddDays(1).ToUniversalTime();
        var (version, title, items) = await CurrentTemplateAsync(ct);
        var departments = await db.Departments.AsNoTracking()
            .Where(d => !db.Set<RiskAssessment>().Any(a => a.DepartmentId == d.Id && a.Period == period)).OrderBy(d => d.Code).ToListAsync(ct);
        var opened = 0;
        foreach (var department in departments)
        {
            if (await db.Set<RiskAssessment>().AnyAsync(a => a.DepartmentId == department.Id && a.Period == period, ct))
            {
                continue; // another node opened it meanwhile
            }

            var assessment = new RiskAssessment
            {
                Id = Guid.CreateVersion7(now), Number = $"RA-{department.Code}-{local:yyyyMM}", DepartmentId = department.Id, Period = period, TemplateVersion = version,
                Title = title, OpenedAt = now, MeasuredFrom = monthStart.AddMonths(-1).ToUniversalTime(), MeasuredTo = monthStart.ToUniversalTime(), DueAt = due, Stamp = Guid.NewGuid(),
            };
            var order = 0;
            foreach (var item in items)
            {
                assessment.Items.Add(new RiskItem
                {
                    Id = Guid.CreateVersion7(now), AssessmentId = assessment.Id, Order = order++, Code = item.Code, Title = item.Title, Measure = item.Measure,
                    Value = item.Measure is { } m ? await measures.CountAsync(m, MeasureScope.OfDepartment(department.Id), assessment.MeasuredFrom, assessment.MeasuredTo, caller, ct) : null,
                });
            }

            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                db.Add(assessment);
                notifier.Add(await HeadsOfAsync(department.Id, ct), "Notify.AssessmentOpened", null, assessment.Number, department.Name, DueText(due, offset));
                audit.Record(AuditActions.AssessmentOpen, "assessment", assessment.Id.ToString(), detail: new { assessment.Number, period, template = version });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                opened++;
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException { IsUniqueViolation: true })
            {
                // Another node opened it first.
                db.ChangeTracker.Clear();
            }
            catch (Audit.AuditWriteException e)
            {
                // Not a collision: said in the log, and tried again at the next run.
                db.ChangeTracker.Clear();
                log.LogError(e, "The risk assessment {Number} could not be opened.", assessment.Number);
            }
        }

        return opened;
    }

    /// <summary>The forms the caller may read, newest first; one period if given (yyyy-MM).</summary>
    public async Task<IReadOnlyList<AssessmentSummary>> ListAsync(string? period, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = Visible(caller);
        if (!string.IsNullOrWhiteSpace(period))
        {
            period = period.Trim();
            if (!System.Text.RegularExpressions.Regex.IsMatch(period, "^[0-9]{4}-[0-9]{2}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                throw CustosException.Invalid("AssessmentPeriod");
            }

            query = query.Where(a => a.Period == period);
        }

        var rows = await query.OrderByDescending(a => a.Period).ThenBy(a => a.Number).Take(500)
            .Select(a => new
            {
                a.Id, a.Number, a.DepartmentId, a.Period, a.Status, a.DueAt,
                Items = a.Items.Count, Scored = a.Items.Count(i => i.Likelihood != null && i.Impact != null),
                Total = a.Items.Sum(i => (i.Likelihood ?? 0) * (i.Impact ?? 0)),
                High = a.Items.Count(i => (i.Likelihood ?? 0) * (i.Impact ?? 0) >= settings.HighScore),
                Open = db.Set<CorrectiveAction>().Count(f => f.SourceId == a.Id && f.Status != FindingStatus.Verified),
            })
            .ToListAsync(ct);
        var names = await DepartmentNamesAsync(ct);
        var now = time.GetUtcNow();
        await audit.RecordNowAsync(AuditActions.AssessmentView, "assessment", null, AuditOutcome.Success, new { list = true, period }, ct);
        return [.. rows.Select(a => new AssessmentSummary(
            a.Id, a.Number, a.DepartmentId, names.GetValueOrDefault(a.DepartmentId, ""), a.Period, a.Status, a.DueAt, a.Status == AssessmentStatus.Open && a.DueAt <= now,
            a.Scored, a.Items, a.Total, a.High, a.Open))];
    }

    /// <summary>One form with its items and corrective actions; a 404 for someone who may not read it.</summary>
    public async Task<AssessmentView> GetAsync(Guid id, CancellationToken ct)
    {
        var (caller, assessment) = await LoadAsync(id, AuditActions.AssessmentView, write: false, ct);
        await audit.RecordNowAsync(AuditActions.AssessmentView, "assessment", assessment.Id.ToString(), AuditOutcome.Success, new { assessment.Number }, ct);
        return await ViewAsync(caller, assessment, ct);
    }

    /// <summary>The rows behind a measured item, recomputed for the form's period (the evidence link).</summary>
    public async Task<(AssessmentView Assessment, RiskItemView Item, IReadOnlyList<EvidenceRow> Rows)> EvidenceAsync(Guid id, string code, CancellationToken ct)
    {
        var (caller, assessment) = await LoadAsync(id, AuditActions.AssessmentEvidence, write: false, ct);
        var item = assessment.Items.SingleOrDefault(i => i.Code == code && i.Measure is not null) ?? throw CustosException.NotFound("RiskItemNotFound");
        var rows = await measures.RowsAsync(item.Measure!, MeasureScope.OfDepartment(assessment.DepartmentId), assessment.MeasuredFrom, assessment.MeasuredTo, caller, ct);
        await audit.RecordNowAsync(AuditActions.AssessmentEvidence, "assessment", assessment.Id.ToString(), AuditOutcome.Success, new { assessment.Number, item = code }, ct);
        var view = await ViewAsync(caller, assessment, ct);
        return (view, view.Items.Single(i => i.Code == code), rows);
    }

    /// <summary>The head answers and scores one item, on the form as they saw it (a stale page is told).</summary>
    public Task<AssessmentView> AnswerAsync(Guid id, string code, AnswerInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        return AnswerAllAsync(id, new Dictionary<string, AnswerInput>(StringComparer.Ordinal) { [code] = input }, input.Stamp, ct);
    }

    /// <summary>The head answers and scores several items at once (the page's one form); all or nothing.</summary>
    public async Task<AssessmentView> AnswerAllAsync(Guid id, IReadOnlyDictionary<string, AnswerInput> answers, Guid? stamp, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var (caller, assessment) = await LoadForHeadAsync(id, AuditActions.AssessmentAnswer, stamp, ct);
        // Everything checked before anything changes: a bad line leaves the form as it was.
        var checkedAnswers = new List<(RiskItem Item, string? Answer, AnswerInput Input)>();
        foreach (var (code, input) in answers)
        {
            var item = assessment.Items.SingleOrDefault(i => i.Code == code) ?? throw CustosException.NotFound("RiskItemNotFound");
            if (input.Likelihood is { } l && l is < 1 or > 5 || input.Impact is { } i && i is < 1 or > 5)
            {
                throw CustosException.Invalid("RiskScale");
            }

            var answer = TextInput.CleanOptional(input.Answer, "answer", multiline: true);
            if (answer?.Length > MaxText)
            {
                throw CustosException.Invalid("TooLong", MaxText);
            }

            checkedAnswers.Add((item, answer, input));
        }

        var changed = new List<object>();
        foreach (var (item, answer, input) in checkedAnswers)
        {
            var code = item.Code;
            if (item.Answer != answer || item.Likelihood != input.Likelihood || item.Impact != input.Impact)
            {
                (item.Answer, item.Likelihood, item.Impact) = (answer, input.Likelihood, input.Impact);
                changed.Add(new { item = code, input.Likelihood, input.Impact });
            }
        }

        if (changed.Count > 0)
        {
            audit.Record(AuditActions.AssessmentAnswer, "assessment", assessment.Id.ToString(), detail: new { assessment.Number, items = changed });
            await SaveAsync(assessment, ct);
        }

        return await ViewAsync(caller, assessment, ct);
    }

    /// <summary>A finding on the form (before sign-off), with its corrective action's owner and due date; the owner is told.</summary>
    public async Task<AssessmentView> AddFindingAsync(Guid id, FindingInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, assessment) = await LoadForHeadAsync(id, AuditActions.AssessmentFinding, null, ct);
        var item = TextInput.CleanOptional(input.Item, "item");
        if (item is not null && assessment.Items.All(i => i.Code != item))
        {
            throw CustosException.Invalid("RiskItemNotFound");
        }

        var owner = await OwnerAsync(input.Owner, ct);
        var finding = NewAction(caller, FindingSource.Assessment, assessment.Id, assessment.Number, assessment.DepartmentId, item, input, owner);
        db.Add(finding);
        notifier.Add([owner.Id], "Notify.CorrectiveActionAssigned", null, assessment.Number, finding.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        audit.Record(AuditActions.AssessmentFinding, "assessment", assessment.Id.ToString(), detail: new { assessment.Number, item, action = finding.Id, owner = owner.Id, due = finding.DueOn });
        await SaveAsync(assessment, ct);
        return await ViewAsync(caller, assessment, ct);
    }

    /// <summary>
    /// The head signs the form off: every item scored, every high-risk item with a corrective action. Nothing on it
    /// changes after; the compliance officers are told it waits for their review.
    /// </summary>
    public async Task<AssessmentView> SignOffAsync(Guid id, string? conclusion, Guid? stamp, CancellationToken ct)
    {
        var (caller, assessment) = await LoadForHeadAsync(id, AuditActions.AssessmentSignOff, stamp, ct);
        var unscored = assessment.Items.Count(i => i.Likelihood is null || i.Impact is null);
        if (unscored > 0)
        {
            throw CustosException.Invalid("AssessmentUnscored", unscored);
        }

        var withActions = await db.Set<CorrectiveAction>().Where(f => f.SourceId == assessment.Id && f.ItemCode != null).Select(f => f.ItemCode!).Distinct().ToListAsync(ct);
        var bare = assessment.Items.Where(i => i.Score >= settings.HighScore && !withActions.Contains(i.Code)).Select(i => i.Code).ToList();
        if (bare.Count > 0)
        {
            throw CustosException.Invalid("AssessmentHighWithoutAction", string.Join(", ", bare));
        }

        var text = TextInput.CleanOptional(conclusion, "conclusion", multiline: true);
        if (text?.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        var now = time.GetUtcNow();
        (assessment.Status, assessment.SignedOffAt, assessment.SignedOffById, assessment.SignedOffBy, assessment.Conclusion) = (AssessmentStatus.SignedOff, now, caller.PersonId, caller.Name, text);
        notifier.Add((await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Where(p => p != caller.PersonId), "Notify.AssessmentSignedOff", null, assessment.Number);
        audit.Record(AuditActions.AssessmentSignOff, "assessment", assessment.Id.ToString(), detail: new { assessment.Number, total = assessment.Items.Sum(i => i.Score ?? 0) });
        await SaveAsync(assessment, ct);
        return await ViewAsync(caller, assessment, ct);
    }

    /// <summary>A compliance officer reviews a signed-off form; not the one who signed it off.</summary>
    public async Task<AssessmentView> ReviewAsync(Guid id, string? note, Guid? stamp, CancellationToken ct)
    {
        var (caller, assessment) = await LoadAsync(id, AuditActions.AssessmentReview, write: true, ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.AssessmentReview, "assessment", assessment.Id.ToString(), AuditOutcome.Denied, new { reason = "not-compliance" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReviewAssessment");
        }

        if (assessment.SignedOffById == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AssessmentReview, "assessment", assessment.Id.ToString(), AuditOutcome.Denied, new { reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReviewOwnAssessment");
        }

        if (assessment.Status != AssessmentStatus.SignedOff)
        {
            throw CustosException.Conflict(assessment.Status == AssessmentStatus.Open ? "AssessmentNotSignedOff" : "AssessmentReviewed");
        }

        CheckStamp(assessment, stamp);
        var text = TextInput.CleanOptional(note, "note", multiline: true);
        if (text?.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        (assessment.Status, assessment.ReviewedAt, assessment.ReviewedById, assessment.ReviewedBy, assessment.ReviewNote) = (AssessmentStatus.Reviewed, time.GetUtcNow(), caller.PersonId, caller.Name, text);
        audit.Record(AuditActions.AssessmentReview, "assessment", assessment.Id.ToString(), detail: new { assessment.Number });
        await SaveAsync(assessment, ct);
        return await ViewAsync(caller, assessment, ct);
    }

    /// <summary>Each department's total score and high-risk items per month, oldest first, for the departments the caller may read.</summary>
    public async Task<IReadOnlyList<DepartmentTrend>> TrendAsync(int months, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var rows = await Visible(caller).OrderByDescending(a => a.Period).Take(Math.Clamp(months, 1, 36) * 200)
            .Select(a => new
            {
                a.DepartmentId, a.Period, a.Status,
                Total = a.Items.Sum(i => (i.Likelihood ?? 0) * (i.Impact ?? 0)),
                High = a.Items.Count(i => (i.Likelihood ?? 0) * (i.Impact ?? 0) >= settings.HighScore),
            })
            .ToListAsync(ct);
        var names = await DepartmentNamesAsync(ct);
        return [.. rows.GroupBy(r => r.DepartmentId).Select(g => new DepartmentTrend(g.Key, names.GetValueOrDefault(g.Key, ""),
                [.. g.OrderByDescending(r => r.Period, StringComparer.Ordinal).Take(months).OrderBy(r => r.Period, StringComparer.Ordinal).Select(r => new TrendPoint(r.Period, r.Total, r.High, r.Status))]))
            .OrderBy(t => t.Department, StringComparer.Ordinal)];
    }

    /// <summary>Whether the caller publishes templates and reviews forms (a compliance officer).</summary>
    public async Task<bool> IsComplianceAsync(CancellationToken ct) => IsCompliance(await callers.CurrentAsync(ct));

    private IQueryable<RiskAssessment> Visible(Caller caller)
    {
        var query = db.Set<RiskAssessment>().AsNoTracking();
        if (IsReader(caller))
        {
            return query;
        }

        var heads = IsHead(caller) ? caller.Departments.ToList() : [];
        return query.Where(a => heads.Contains(a.DepartmentId));
    }

    private bool IsReader(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.Auditor) || caller.Subject.Roles.Contains(Roles.GeneralManager));

    private static bool IsCompliance(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer);

    private static bool IsHead(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.DepartmentHead);

    private static bool IsHeadOf(Caller caller, Guid department) => IsHead(caller) && caller.Departments.Contains(department);

    /// <summary>The form, tracked for a change or not; a 404 (recorded) for someone who may not read it.</summary>
    private async Task<(Caller Caller, RiskAssessment Assessment)> LoadAsync(Guid id, string action, bool write, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var set = write ? db.Set<RiskAssessment>() : db.Set<RiskAssessment>().AsNoTracking();
        var assessment = await set.Include(a => a.Items).SingleOrDefaultAsync(a => a.Id == id, ct);
        if (assessment is null || !(IsReader(caller) || IsHeadOf(caller, assessment.DepartmentId)))
        {
            await audit.RecordNowAsync(action, "assessment", id.ToString(), AuditOutcome.Denied, new { reason = assessment is null ? "not-found" : "not-reader" }, ct);
            throw CustosException.NotFound("AssessmentNotFound");
        }

        assessment.Items.Sort((a, b) => a.Order.CompareTo(b.Order));
        return (caller, assessment);
    }

    /// <summary>A change only the head of the form's department makes, while it is open: anyone else gets a 404 (a reader a refusal), recorded.</summary>
    private async Task<(Caller Caller, RiskAssessment Assessment)> LoadForHeadAsync(Guid id, string action, Guid? stamp, CancellationToken ct)
    {
        var (caller, assessment) = await LoadAsync(id, action, write: true, ct);
        if (!IsHeadOf(caller, assessment.DepartmentId))
        {
            await audit.RecordNowAsync(action, "assessment", assessment.Id.ToString(), AuditOutcome.Denied, new { reason = "not-head" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotAnswerAssessment");
        }

        if (assessment.Status != AssessmentStatus.Open)
        {
            await audit.RecordNowAsync(action, "assessment", assessment.Id.ToString(), AuditOutcome.Denied, new { reason = "signed-off" }, ct);
            throw CustosException.Conflict("AssessmentSignedOff");
        }

        CheckStamp(assessment, stamp);
        return (caller, assessment);
    }

    private static void CheckStamp(RiskAssessment assessment, Guid? stamp)
    {
        if (stamp is { } s && s != assessment.Stamp)
        {
            throw CustosException.Conflict("AssessmentChanged");
        }
    }

    private async Task SaveAsync(RiskAssessment assessment, CancellationToken ct)
    {
        assessment.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("AssessmentChanged");
        }
    }

    private async Task<AssessmentView> ViewAsync(Caller caller, RiskAssessment a, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var actions = await ActionViewsAsync(caller, db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.SourceId == a.Id), ct);
        var names = await DepartmentNamesAsync(ct);
        var items = a.Items.OrderBy(i => i.Order).Select(i => new RiskItemView(
            i.Code, i.Title, i.Measure, i.Value, i.Answer, i.Likelihood, i.Impact, i.Score, i.Score >= settings.HighScore, actions.Count(f => f.ItemCode == i.Code))).ToList();
        return new AssessmentView(
            a.Id, a.Number, a.DepartmentId, names.GetValueOrDefault(a.DepartmentId, ""), a.Period, a.Title, a.TemplateVersion, a.Status, a.OpenedAt, a.MeasuredFrom, a.MeasuredTo,
            a.DueAt, a.Status == AssessmentStatus.Open && a.DueAt <= now, a.SignedOffBy, a.SignedOffAt, a.Conclusion, a.ReviewedBy, a.ReviewedAt, a.ReviewNote, a.Stamp, items, actions,
            a.Status == AssessmentStatus.Open && IsHeadOf(caller, a.DepartmentId),
            a.Status == AssessmentStatus.SignedOff && IsCompliance(caller) && a.SignedOffById != caller.PersonId);
    }

    private async Task<Dictionary<Guid, string>> DepartmentNamesAsync(CancellationToken ct) => await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, ct);

    /// <summary>The heads of a department: members holding the department-head role.</summary>
    internal async Task<List<Guid>> HeadsOfAsync(Guid department, CancellationToken ct)
    {
        var heads = await db.InRoleAsync(Roles.DepartmentHead, ct);
        return await db.DepartmentMemberships.Where(m => m.DepartmentId == department && heads.Contains(m.PersonId)).Select(m => m.PersonId).ToListAsync(ct);
    }

    private static string DueText(DateTimeOffset due, TimeSpan offset) => due.ToOffset(offset).AddMinutes(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
