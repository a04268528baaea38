using System.Globalization;
using Custos.Data;
using Custos.Features.Access;
using Custos.Features.ApiTokens;
using Custos.Features.Copies;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Incidents;

/// <summary>What someone reports: what happened, when it was found, and who or which copy it concerns if known.</summary>
public sealed record NewIncident(string? Title = null, string? Description = null, DateTimeOffset? DiscoveredAt = null, string? Suspect = null, string? CopySerial = null);

/// <summary>INC-1's two questions, answered by a handler.</summary>
public sealed record TriageInput(bool WentBeyondCircle, bool NoneLearntShown, string? Note = null);

/// <summary>How many people are affected; a grade above what the number gives, with the reason (the guide's other criteria).</summary>
public sealed record AssessInput(long AffectedPeople, IncidentGrade? Grade = null, string? Reason = null);

public sealed record ContainInput(ContainmentAction Action, string? Note = null);

public sealed record AuthorityReportInput(AuthorityReportKind Kind, string? Recipient = null, string? Reference = null, string? Summary = null);

/// <summary>The PIPL art. 57 notice's parts.</summary>
public sealed record NoticeInput(string? Kinds = null, string? Cause = null, string? Harm = null, string? Measures = null, string? Advice = null, string? Contact = null);

public sealed record CloseInput(string? Review = null, string? Accountability = null);

[Contract]
public sealed record IncidentSummary(
    Guid Id, string Number, string Title, IncidentSource Source, IncidentStatus Status, IncidentGrade? Grade, DateTimeOffset ReportedAt, DateTimeOffset DiscoveredAt,
    DateTimeOffset? AuthorityDueAt, DateTimeOffset? AuthorityReportedAt, bool Overdue, string? SuspectName);

public sealed record IncidentStepView(
    Guid Id, DateTimeOffset At, string Actor, IncidentStepKind Kind, ContainmentAction? Action, string? Target, string Detail, DateTimeOffset? ReversedAt, string? ReversedBy, bool Reversible);

public sealed record PlaybookView(string Code, string? Title, string Role, DateTimeOffset? DoneAt, string? DoneBy);

/// <summary>An incident as its handlers see it; the reporter sees only the summary and status.</summary>
public sealed record IncidentView(
    Guid Id, string Number, string Title, string Description, IncidentSource Source, string? SourceRef, string ReportedBy, DateTimeOffset ReportedAt, DateTimeOffset DiscoveredAt,
    string? SuspectName, string? CopySerial, string? PartnerName, IncidentStatus Status, bool? WentBeyondCircle, bool? NoneLearntShown, bool? IsLeak,
    long? AffectedPeople, int? ScopeCustomers, IncidentGrade? Grade, bool CriticalInfrastructure, DateTimeOffset? AuthorityDueAt, DateTimeOffset? AuthorityReportedAt,
    bool AuthorityOverdue, DateTimeOffset? SummaryDueAt, DateTimeOffset? SummaryReportedAt, DateTimeOffset? ContainedAt, DateTimeOffset? ClosedAt, string? Review,
    string? Accountability, NoticeInput Notice, DateTimeOffset? NoticeDraftedAt, IReadOnlyList<IncidentStepView> Steps, IReadOnlyList<PlaybookView> Playbook, bool Handler);

/// <summary>
/// Leak incidents (INC-1, INC-2, INC-3). Anyone signed in reports a suspected leak, and the GM office and the
/// compliance officers are told at once; the handlers (the general manager and the compliance officers, never the
/// person the incident is about) triage it against INC-1's definition, grade it by the people affected under
/// 《国家网络安全事件报告管理办法》 — which starts the clock for the report to the provincial cyberspace authority
/// (4 hours, 1 for critical information infrastructure) — take containment actions from the incident, compute its
/// scope from the audit log and the copy ledger, draft the PIPL art. 57 notice, follow the emergency plan step by
/// step and close it with a review. Every step is on the incident's timeline and in the audit log. A contract: an
/// anonymous report's handler opens an incident from it (INC-4).
/// </summary>
[Contract]
public sealed partial class IncidentService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, Notifier notifier, PeopleService people, ApiTokenService tokens, GrantService grants,
    RequestService requests, Partners.PartnerService partners, Audit.AuditProofs proofs, IncidentSettings settings, CustosSettings custos,
    Microsoft.Extensions.Localization.IStringLocalizer<Web.Strings> text, TimeProvider time)
{
    public const int MaxTitle = 200;

    public const int MaxDescription = 4000;

    /// <summary>A discovery reported more than this long ago is refused as a typing error rather than silently clocked.</summary>
    public static readonly TimeSpan MaxDiscoveryAge = TimeSpan.FromDays(365);

    public IncidentSettings Settings => settings;

    /// <summary>Records a suspected leak (INC-2): anyone signed in, at once; the GM office and the compliance officers are told in the same transaction.</summary>
    public async Task<IncidentView> ReportAsync(NewIncident order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await callers.CurrentAsync(ct);
        if (caller.PersonId == Guid.Empty || !caller.Subject.Active)
        {
            await audit.RecordNowAsync(AuditActions.IncidentReport, "incident", null, AuditOutcome.Denied, new { reason = "no-person" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReportIncident");
        }

        var title = Required(order.Title, "title", MaxTitle, "Incident.TitleField");
        var description = Required(order.Description, "description", MaxDescription, "Incident.Description", multiline: true);
        var now = time.GetUtcNow();
        // Stored and compared as UTC, whatever offset the caller wrote it with.
        var discovered = (order.DiscoveredAt ?? now).ToUniversalTime();
        if (discovered > now.AddMinutes(5) || discovered < now - MaxDiscoveryAge)
        {
            throw CustosException.Invalid("IncidentDiscoveredAt");
        }

        var incident = NewRecord(IncidentSource.Report, null, title, description, caller.PersonId, caller.Name, now, discovered);
        if (TextInput.CleanOptional(order.Suspect, "suspect") is { } suspect)
        {
            var person = await people.FindAsync(suspect, ct);
            (incident.SuspectId, incident.SuspectName) = (person.Id, person.DisplayName);
        }

        if (TextInput.CleanOptional(order.CopySerial, "copySerial")?.ToUpperInvariant() is { } serial)
        {
            var copy = await db.Set<CopyRecord>().AsNoTracking().Where(c => c.Serial == serial).Select(c => new { c.Serial, c.PartnerId, c.PersonId, c.PersonName }).SingleOrDefaultAsync(ct)
                ?? throw CustosException.NotFound("CopyNotFound");
            (incident.CopySerial, incident.PartnerId, incident.CopyHolderId) = (copy.Serial, copy.PartnerId, copy.PersonId);
            if (incident.SuspectId is null)
            {
                (incident.SuspectId, incident.SuspectName) = (copy.PersonId, copy.PersonName);
            }
        }

        return await OpenAsync(incident, ct);
    }

    /// <summary>Opens an incident from an alert of the log's rules (a handler): the alert's person is the suspect, its time the discovery.</summary>
    public async Task<IncidentView> OpenFromAlertAsync(long alertId, CancellationToken ct)
    {
        var caller = await RequireHandlerAsync(AuditActions.IncidentReport, null, ct);
        var alert = await db.Set<Audit.AuditAlert>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == alertId, ct) ?? throw CustosException.NotFound("AlertNotFound");
        if (await db.Set<Incident>().AnyAsync(i => i.Source == IncidentSource.Alert && i.SourceRef == alertId.ToString(CultureInfo.InvariantCulture), ct))
        {
            throw CustosException.Conflict("IncidentExists");
        }

        var now = time.GetUtcNow();
        // Titled in the opener's language, as if they had typed it: the alert's rule by its name, not its code.
        var incident = NewRecord(IncidentSource.Alert, alertId.ToString(CultureInfo.InvariantCulture), text["Incident.FromAlertTitle", text["AlertRule." + alert.Rule], alert.PersonName],
            text["Incident.FromAlertDescription", alertId, text["AlertRule." + alert.Rule], alert.RaisedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), alert.Detail],
            caller.PersonId, caller.Name, now, alert.RaisedAt);
        if (Guid.TryParse(alert.PersonId, out var person) && await db.Users.AnyAsync(u => u.Id == person, ct))
        {
            (incident.SuspectId, incident.SuspectName) = (person, alert.PersonName);
        }

        if (incident.SuspectId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.IncidentReport, "incident", null, AuditOutcome.Denied, new { alert = alertId, reason = "suspect" }, ct);
            throw CustosException.NotFound("AlertNotFound");
        }

        return await OpenAsync(incident, ct);
    }

    /// <summary>Opens an incident for a leaked file traced to its copy (a handler): the copy's holder is the suspect, its partner the one to block.</summary>
    public async Task<IncidentView> OpenFromCopyAsync(string serial, CancellationToken ct)
    {
        var caller = await RequireHandlerAsync(AuditActions.IncidentReport, null, ct);
        var key = TextInput.Clean(serial, "serial").ToUpperInvariant();
        var copy = await db.Set<CopyRecord>().AsNoTracking().SingleOrDefaultAsync(c => c.Serial == key, ct) ?? throw CustosException.NotFound("CopyNotFound");
        if (copy.PersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.IncidentReport, "incident", null, AuditOutcome.Denied, new { copy = copy.Serial, reason = "suspect" }, ct);
            throw CustosException.NotFound("CopyNotFound");
        }

        var now = time.GetUtcNow();
        var incident = NewRecord(IncidentSource.Copy, copy.Serial, text["Incident.FromCopyTitle", copy.Serial, copy.Recipient],
            text["Incident.FromCopyDescription", text["CopyKind." + copy.Kind], copy.Serial, copy.PersonName, copy.Customers], caller.PersonId, caller.Name, now, now);
        if (await db.Set<Incident>().AnyAsync(i => i.Source == IncidentSource.Copy && i.SourceRef == copy.Serial, ct))
        {
            throw CustosException.Conflict("IncidentExists");
        }

        (incident.SuspectId, incident.SuspectName, incident.CopySerial, incident.PartnerId, incident.CopyHolderId) = (copy.PersonId, copy.PersonName, copy.Serial, copy.PartnerId, copy.PersonId);
        return await OpenAsync(incident, ct);
    }

    /// <summary>
    /// Opens an incident from an anonymous report (INC-4) for the report's handler, who has checked their own right:
    /// the handler is its reporter, the report's id its source, the person the report names its suspect. Joins the
    /// caller's transaction; returns the incident's id.
    /// </summary>
    public async Task<Guid> OpenFromAnonymousAsync(Guid report, string title, Guid? subject, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var now = time.GetUtcNow();
        var incident = NewRecord(IncidentSource.Anonymous, report.ToString("N")[..16], title, title, caller.PersonId, caller.Name, now, now);
        if (subject is { } person && await db.Users.Where(u => u.Id == person).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) is { } name)
        {
            (incident.SuspectId, incident.SuspectName) = (person, name);
        }

        await OpenAsync(incident, ct);
        return incident.Id;
    }

    /// <summary>Incidents the caller may see: handlers every one but those about themselves; anyone else those they reported.</summary>
    public async Task<IReadOnlyList<IncidentSummary>> ListAsync(bool includeClosed, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<Incident>().AsNoTracking().Where(i => includeClosed || i.Status != IncidentStatus.Closed);
        if (!IsHandler(caller) && !actor.FromCommandLine)
        {
            query = query.Where(i => i.ReportedById == caller.PersonId);
        }
        else if (caller.PersonId != Guid.Empty)
        {
            query = query.Where(i => (i.SuspectId != caller.PersonId && i.CopyHolderId != caller.PersonId) || i.ReportedById == caller.PersonId);
        }

        var now = time.GetUtcNow();
        var rows = await query.OrderByDescending(i => i.ReportedAt).Take(500).ToListAsync(ct);
        // Who looked, recorded (the command line too); no count, which would differ for a handler an incident is about.
        await audit.RecordNowAsync(AuditActions.IncidentView, "incident", null, AuditOutcome.Success, new { list = true, closed = includeClosed }, ct);
        var handler = IsHandler(caller) || actor.FromCommandLine;
        return [.. rows.Select(i => handler && !IsAbout(i, caller.PersonId)
            ? new IncidentSummary(
                i.Id, i.Number, i.Title, i.Source, i.Status, i.Grade, i.ReportedAt, i.DiscoveredAt, i.AuthorityDueAt, i.AuthorityReportedAt,
                i.AuthorityDueAt is { } due && i.AuthorityReportedAt is null && due <= now, i.SuspectName)
            // Someone who reported it follows its status, not its scale.
            : new IncidentSummary(i.Id, i.Number, i.Title, i.Source, i.Status, null, i.ReportedAt, i.DiscoveredAt, null, null, false, null))];
    }

    /// <summary>Whether an incident of this number exists (a reward or penalty names the incident it follows from).</summary>
    public Task<bool> NumberExistsAsync(string number, CancellationToken ct) => db.Set<Incident>().AnyAsync(i => i.Number == number, ct);

    /// <summary>How many incidents the caller may see were reported in each month since <paramref name="since"/> (the company's months, yyyy-MM): the list's rule, counted.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ReportedByMonthAsync(DateTimeOffset since, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<Incident>().AsNoTracking().Where(i => i.ReportedAt >= since);
        query = IsHandler(caller)
            ? query.Where(i => (i.SuspectId != caller.PersonId && i.CopyHolderId != caller.PersonId) || i.ReportedById == caller.PersonId)
            : query.Where(i => i.ReportedById == caller.PersonId);
        var offset = caller.Engine.Document.UtcOffset;
        return (await query.Select(i => i.ReportedAt).ToListAsync(ct))
            .GroupBy(at => at.ToOffset(offset).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>One incident: handlers see everything; its reporter the summary; the person it is about, and everyone else, a 404.</summary>
    public async Task<IncidentView> GetAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var incident = await db.Set<Incident>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct);
        var handler = incident is not null && (IsHandler(caller) || actor.FromCommandLine) && !IsAbout(incident, caller.PersonId);
        if (incident is null || (!handler && incident.ReportedById != caller.PersonId))
        {
            await audit.RecordNowAsync(AuditActions.IncidentView, "incident", id.ToString(), AuditOutcome.Denied, new { reason = incident is null ? "not-found" : "not-handler" }, ct);
            throw CustosException.NotFound("IncidentNotFound");
        }

        return await ViewAsync(incident, handler, ct);
    }

    /// <summary>INC-1: information went beyond its permitted circle and it cannot be shown that no unauthorised person learnt it — a leak.</summary>
    public async Task<IncidentView> TriageAsync(Guid id, TriageInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentTriage, ct);
        var note = TextInput.CleanOptional(input.Note, "note", multiline: true) ?? "";
        CheckLength(note, 1000);
        var now = time.GetUtcNow();
        incident.WentBeyondCircle = input.WentBeyondCircle;
        incident.NoneLearntShown = input.NoneLearntShown;
        incident.TriagedAt = now;
        var leak = IsLeak(incident);
        Step(incident, caller, IncidentStepKind.Triage, leak == true ? "leak" : "no-leak", note);
        audit.Record(AuditActions.IncidentTriage, "incident", incident.Id.ToString(), detail: new { incident.Number, input.WentBeyondCircle, input.NoneLearntShown, leak });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>
    /// Grades the incident by the people affected (never below the scope computed from the log, never below what the
    /// number gives); 较大 and above start the clock for the report to the authority, counted from the discovery.
    /// </summary>
    public async Task<IncidentView> AssessAsync(Guid id, AssessInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentAssess, ct);
        if (input.AffectedPeople < 0 || input.AffectedPeople < (incident.ScopeCustomers ?? 0))
        {
            throw CustosException.Invalid("IncidentAffected", incident.ScopeCustomers ?? 0);
        }

        if (input.Grade is { } g && !Enum.IsDefined(g))
        {
            throw CustosException.Invalid("InvalidEnum", "grade");
        }

        var counted = settings.GradeFor(input.AffectedPeople);
        var grade = input.Grade is { } chosen && chosen > counted ? chosen : counted;
        var reason = TextInput.CleanOptional(input.Reason, "reason", multiline: true);
        if (grade > counted && string.IsNullOrEmpty(reason))
        {
            throw CustosException.Invalid("Required", new TextKey("Incident.GradeReason"));
        }

        CheckLength(reason ?? "", 1000);
        if (incident.Grade is { } before && grade < before)
        {
            // A grade once given is not lowered quietly: the clock it started keeps running.
            throw CustosException.Conflict("IncidentGradeLower");
        }

        var now = time.GetUtcNow();
        Grade(incident, caller, input.AffectedPeople, grade, reason);
        await SaveAsync(incident, ct);
        if (incident.AuthorityDueAt is { } due && due <= now && incident.AuthorityReportedAt is null)
        {
            // Found late: the clock is already past. Escalated now, not at the worker's next round.
            await RunDueAsync(ct, incident.Id);
        }

        return await ViewAsync(incident, true, ct);
    }

    /// <summary>Sets the grade and, for 较大 and above, the clock of the report to the authority from the discovery; a step and an audit entry.</summary>
    private void Grade(Incident incident, Caller caller, long affected, IncidentGrade grade, string? reason)
    {
        incident.AffectedPeople = affected;
        incident.Grade = grade;
        incident.GradedAt = time.GetUtcNow();
        incident.CriticalInfrastructure = settings.CriticalInfrastructure;
        if (grade >= IncidentGrade.Larger && incident.AuthorityDueAt is null)
        {
            var window = TimeSpan.FromHours(settings.AuthorityHours);
            incident.AuthorityDueAt = incident.DiscoveredAt + window;
            incident.AuthorityRemindAt = incident.AuthorityDueAt - (window / 4);
        }

        Step(incident, caller, IncidentStepKind.Assessed, grade.ToString(), affected.ToString(CultureInfo.InvariantCulture) + (reason is null ? "" : " — " + reason));
        audit.Record(AuditActions.IncidentAssess, "incident", incident.Id.ToString(), detail: new
        {
            incident.Number, affected, grade = grade.ToString(), due = incident.AuthorityDueAt, cii = incident.CriticalInfrastructure, reason,
        });
    }

    /// <summary>Records a report to the cyberspace authority: the first (stops the clock), a follow-up, or the after-action summary (once closed).</summary>
    public async Task<IncidentView> RecordAuthorityReportAsync(Guid id, AuthorityReportInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentAuthorityReport, ct, allowClosed: input.Kind == AuthorityReportKind.Summary);
        if (!Enum.IsDefined(input.Kind))
        {
            throw CustosException.Invalid("InvalidEnum", "kind");
        }

        var recipient = Required(input.Recipient, "recipient", 200, "Incident.Recipient");
        var reference = TextInput.CleanOptional(input.Reference, "reference") ?? "";
        CheckLength(reference, 100);
        var summary = TextInput.CleanOptional(input.Summary, "summary", multiline: true) ?? "";
        CheckLength(summary, 2000);
        var now = time.GetUtcNow();
        switch (input.Kind)
        {
            case AuthorityReportKind.Initial when incident.AuthorityReportedAt is not null:
                throw CustosException.Conflict("IncidentReportedAlready");
            case AuthorityReportKind.Initial when incident.AuthorityDueAt is null:
                // Grade first: a report recorded before the clock would show a clock that never ran as met.
                throw CustosException.Conflict("IncidentNotGraded");
            case AuthorityReportKind.Initial:
                incident.AuthorityReportedAt = now;
                break;
            case AuthorityReportKind.FollowUp when incident.AuthorityReportedAt is null:
                throw CustosException.Conflict("IncidentInitialFirst");
            case AuthorityReportKind.Summary when incident.Status != IncidentStatus.Closed || incident.SummaryReportedAt is not null:
                throw CustosException.Conflict("IncidentSummaryNotDue");
            case AuthorityReportKind.Summary:
                incident.SummaryReportedAt = now;
                break;
        }

        Step(incident, caller, IncidentStepKind.AuthorityReport, input.Kind.ToString(), $"{recipient} {reference} {summary}".Trim());
        audit.Record(AuditActions.IncidentAuthorityReport, "incident", incident.Id.ToString(), detail: new
        {
            incident.Number, kind = input.Kind.ToString(), recipient, reference, late = input.Kind == AuthorityReportKind.Initial && incident.AuthorityDueAt < now,
        });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>Saves the draft of the PIPL art. 57 notice (to the authority and the people affected).</summary>
    public async Task<IncidentView> DraftNoticeAsync(Guid id, NoticeInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentNotice, ct);
        string Part(string? value, string name, string label) => Required(value, name, 1000, label, multiline: true);
        incident.NoticeKinds = Part(input.Kinds, "kinds", "Notice.Kinds");
        incident.NoticeCause = Part(input.Cause, "cause", "Notice.Cause");
        incident.NoticeHarm = Part(input.Harm, "harm", "Notice.Harm");
        incident.NoticeMeasures = Part(input.Measures, "measures", "Notice.Measures");
        incident.NoticeAdvice = Part(input.Advice, "advice", "Notice.Advice");
        incident.NoticeContact = Part(input.Contact, "contact", "Notice.Contact");
        incident.NoticeDraftedAt = time.GetUtcNow();
        Step(incident, caller, IncidentStepKind.Notice, null, "");
        audit.Record(AuditActions.IncidentNotice, "incident", incident.Id.ToString(), detail: new { incident.Number });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>Marks a step of the emergency plan done (INC-3), by anyone handling the incident, with a note.</summary>
    public async Task<IncidentView> CompleteStepAsync(Guid id, string code, string? note, CancellationToken ct)
    {
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentPlaybook, ct);
        var step = settings.Steps.FirstOrDefault(s => s.Code == code) ?? throw CustosException.NotFound("PlaybookStepNotFound");
        if (await db.Set<IncidentStep>().AnyAsync(s => s.IncidentId == id && s.Kind == IncidentStepKind.Playbook && s.Target == step.Code, ct))
        {
            throw CustosException.Conflict("PlaybookStepDone");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true) ?? "";
        CheckLength(text, 1000);
        Step(incident, caller, IncidentStepKind.Playbook, step.Code, text);
        audit.Record(AuditActions.IncidentPlaybook, "incident", incident.Id.ToString(), detail: new { incident.Number, step = step.Code });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>Says the spread is stopped (after containment).</summary>
    public async Task<IncidentView> MarkContainedAsync(Guid id, string? note, CancellationToken ct)
    {
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentContain, ct);
        if (incident.Status != IncidentStatus.Open)
        {
            throw CustosException.Conflict("IncidentNotOpen");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true) ?? "";
        CheckLength(text, 1000);
        incident.Status = IncidentStatus.Contained;
        incident.ContainedAt = time.GetUtcNow();
        Step(incident, caller, IncidentStepKind.Contained, null, text);
        audit.Record(AuditActions.IncidentContain, "incident", incident.Id.ToString(), detail: new { incident.Number, contained = true });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>
    /// Closes the incident with its review and accountability findings: only once triaged, graded, and — for 较大 and
    /// above — reported to the authority; the after-action summary then falls due within working days.
    /// </summary>
    public async Task<IncidentView> CloseAsync(Guid id, CloseInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentClose, ct);
        var review = Required(input.Review, "review", 4000, "Incident.Review", multiline: true);
        var accountability = Required(input.Accountability, "accountability", 2000, "Incident.Accountability", multiline: true);
        if (incident.TriagedAt is null || incident.Grade is null)
        {
            throw CustosException.Conflict("IncidentNotAssessed");
        }

        if (incident.AuthorityDueAt is not null && incident.AuthorityReportedAt is null)
        {
            throw CustosException.Conflict("IncidentAuthorityNotReported");
        }

        if (IsLeak(incident) == true && (incident.Status != IncidentStatus.Contained || incident.NoticeDraftedAt is null))
        {
            // A leak closes once its spread is stopped and the people affected can be told (PIPL art. 57).
            throw CustosException.Conflict("IncidentLeakOpen");
        }

        var now = time.GetUtcNow();
        incident.Status = IncidentStatus.Closed;
        incident.ClosedAt = now;
        incident.ClosedBy = caller.Name;
        incident.Review = review;
        incident.Accountability = accountability;
        if (incident.Grade >= IncidentGrade.Larger)
        {
            incident.SummaryDueAt = AddWorkingDays(now, settings.SummaryWorkingDays, caller.Engine.Document.UtcOffset);
        }

        Step(incident, caller, IncidentStepKind.Closed, null, "");
        audit.Record(AuditActions.IncidentClose, "incident", incident.Id.ToString(), detail: new { incident.Number, summaryDue = incident.SummaryDueAt });
        await SaveAsync(incident, ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>
    /// The clocks (every minute): the first report to the authority is reminded when a quarter of its window is left,
    /// and escalated to the general manager, the compliance officers and the committee when it is past; the summary
    /// report a day before it is due and when it is past. Each incident is claimed once, so two nodes tell nobody twice.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken ct, Guid? only = null)
    {
        var now = time.GetUtcNow();
        var told = 0;
        var set = db.Set<Incident>();
        var scope = only is { } one ? set.AsNoTracking().Where(i => i.Id == one) : set.AsNoTracking();
        foreach (var i in await scope.Where(i => i.AuthorityReportedAt == null && i.AuthorityRemindAt <= now && i.AuthorityRemindedAt == null).OrderBy(i => i.AuthorityDueAt).Take(100).ToListAsync(ct))
        {
            told += await ClaimAndTellAsync(i, set.Where(x => x.Id == i.Id && x.AuthorityRemindedAt == null && x.AuthorityReportedAt == null),
                s => s.SetProperty(x => x.AuthorityRemindedAt, now), "Notify.IncidentClockSoon", i.AuthorityDueAt!.Value, escalate: false, "authority", ct);
        }

        foreach (var i in await scope.Where(i => i.AuthorityReportedAt == null && i.AuthorityDueAt <= now && i.AuthorityEscalatedAt == null).OrderBy(i => i.AuthorityDueAt).Take(100).ToListAsync(ct))
        {
            told += await ClaimAndTellAsync(i, set.Where(x => x.Id == i.Id && x.AuthorityEscalatedAt == null && x.AuthorityReportedAt == null),
                s => s.SetProperty(x => x.AuthorityEscalatedAt, now).SetProperty(x => x.AuthorityRemindedAt, x => x.AuthorityRemindedAt ?? now), "Notify.IncidentClockOverdue", i.AuthorityDueAt!.Value, escalate: true, "authority", ct);
        }

        // Not graded an hour after it was reported: the clock may be running unseen. Told to the handlers once.
        var hourAgo = now.AddHours(-1);
        foreach (var i in await scope.Where(i => i.Grade == null && i.Status != IncidentStatus.Closed && i.ReportedAt <= hourAgo && i.GradeRemindedAt == null).OrderBy(i => i.ReportedAt).Take(100).ToListAsync(ct))
        {
            told += await ClaimAndTellAsync(i, set.Where(x => x.Id == i.Id && x.GradeRemindedAt == null && x.Grade == null),
                s => s.SetProperty(x => x.GradeRemindedAt, now), "Notify.IncidentUngraded", i.ReportedAt, escalate: false, "grade", ct);
        }

        var tomorrow = now.AddDays(1);
        foreach (var i in await scope.Where(i => i.SummaryReportedAt == null && i.SummaryDueAt <= tomorrow && i.SummaryRemindedAt == null).OrderBy(i => i.SummaryDueAt).Take(100).ToListAsync(ct))
        {
            told += await ClaimAndTellAsync(i, set.Where(x => x.Id == i.Id && x.SummaryRemindedAt == null && x.SummaryReportedAt == null),
                s => s.SetProperty(x => x.SummaryRemindedAt, now), "Notify.IncidentSummaryDue", i.SummaryDueAt!.Value, escalate: false, "summary", ct);
        }

        foreach (var i in await scope.Where(i => i.SummaryReportedAt == null && i.SummaryDueAt <= now && i.SummaryEscalatedAt == null).OrderBy(i => i.SummaryDueAt).Take(100).ToListAsync(ct))
        {
            told += await ClaimAndTellAsync(i, set.Where(x => x.Id == i.Id && x.SummaryEscalatedAt == null && x.SummaryReportedAt == null),
                s => s.SetProperty(x => x.SummaryEscalatedAt, now), "Notify.IncidentSummaryOverdue", i.SummaryDueAt!.Value, escalate: true, "summary", ct);
        }

        return told;
    }

    private async Task<int> ClaimAndTellAsync(
        Incident incident, IQueryable<Incident> claim, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<Incident>> setters, string kind, DateTimeOffset due, bool escalate, string clock, CancellationToken ct)
    {
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await claim.ExecuteUpdateAsync(setters, ct) != 1)
            {
                return 0;
            }

            var recipients = await HandlersAsync(ct);
            if (escalate)
            {
                recipients = [.. recipients.Union(await db.InRoleAsync(Roles.CommitteeMember, ct))];
            }

            notifier.Add(recipients.Where(r => !IsAbout(incident, r)), kind, null, incident.Number, due.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC");
            db.Set<IncidentStep>().Add(new IncidentStep
            {
                Id = Guid.CreateVersion7(time.GetUtcNow()), IncidentId = incident.Id, At = time.GetUtcNow(), ActorName = actor.Name,
                Kind = escalate ? IncidentStepKind.Escalation : IncidentStepKind.Reminder, Target = clock, Detail = due.ToString("O", CultureInfo.InvariantCulture),
            });
            audit.Record(escalate ? AuditActions.IncidentEscalate : AuditActions.IncidentRemind, "incident", incident.Id.ToString(), detail: new { incident.Number, clock, due });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return 1;
        }
        catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException)
        {
            db.ChangeTracker.Clear();
            return 0;
        }
    }

    /// <summary>The general manager and the compliance officers: the GM office handles leaks (INC-2), compliance runs the response.</summary>
    private async Task<List<Guid>> HandlersAsync(CancellationToken ct) =>
        [.. (await db.InRoleAsync(Roles.GeneralManager, ct)).Union(await db.InRoleAsync(Roles.ComplianceOfficer, ct))];

    /// <summary>Whether the incident is about the person: its suspect, or the holder of its copy.</summary>
    private static bool IsAbout(Incident incident, Guid person) => person != Guid.Empty && (incident.SuspectId == person || incident.CopyHolderId == person);

    private static bool IsHandler(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.GeneralManager) || caller.Subject.Roles.Contains(Roles.ComplianceOfficer));

    private async Task<Caller> RequireHandlerAsync(string action, Guid? incident, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!IsHandler(caller))
        {
            await audit.RecordNowAsync(action, "incident", incident?.ToString(), AuditOutcome.Denied, new { reason = "not-handler" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotHandleIncident");
        }

        return caller;
    }

    /// <summary>An incident a handler acts on: tracked, never one about the handler (a 404, as if it did not exist), never a closed one unless asked.</summary>
    private async Task<(Caller Caller, Incident Incident)> LoadForHandlingAsync(Guid id, string action, CancellationToken ct, bool allowClosed = false)
    {
        var caller = await callers.CurrentAsync(ct);
        var incident = await db.Set<Incident>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (incident is null || IsAbout(incident, caller.PersonId) || (!IsHandler(caller) && incident.ReportedById != caller.PersonId))
        {
            await audit.RecordNowAsync(action, "incident", id.ToString(), AuditOutcome.Denied, new { reason = incident is null ? "not-found" : "not-handler" }, ct);
            throw CustosException.NotFound("IncidentNotFound");
        }

        if (!IsHandler(caller))
        {
            await audit.RecordNowAsync(action, "incident", id.ToString(), AuditOutcome.Denied, new { reason = "not-handler" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotHandleIncident");
        }

        if (incident.Status == IncidentStatus.Closed && !allowClosed)
        {
            throw CustosException.Conflict("IncidentClosed");
        }

        return (caller, incident);
    }

    private Incident NewRecord(IncidentSource source, string? sourceRef, string title, string description, Guid? by, string byName, DateTimeOffset now, DateTimeOffset discovered) => new()
    {
        Id = Guid.CreateVersion7(now),
        Number = $"INC-{now.UtcDateTime:yyyyMMdd}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}",
        Title = title.Length > MaxTitle ? title[..MaxTitle] : title,
        Description = description.Length > MaxDescription ? description[..MaxDescription] : description,
        Source = source,
        SourceRef = sourceRef,
        ReportedById = by == Guid.Empty ? null : by,
        ReportedByName = byName,
        ReportedAt = now,
        DiscoveredAt = discovered,
        Status = IncidentStatus.Open,
        Stamp = Guid.NewGuid(),
    };

    /// <summary>Saves the new incident, tells the GM office and the compliance officers (never its suspect), in one transaction.</summary>
    private async Task<IncidentView> OpenAsync(Incident incident, CancellationToken ct)
    {
        db.Set<Incident>().Add(incident);
        db.Set<IncidentStep>().Add(new IncidentStep
        {
            Id = Guid.CreateVersion7(incident.ReportedAt), IncidentId = incident.Id, At = incident.ReportedAt, ActorName = incident.ReportedByName, Kind = IncidentStepKind.Reported,
            Target = incident.Source.ToString(), Detail = incident.SourceRef ?? "",
        });
        var handlers = await HandlersAsync(ct);
        // The number and where it came from, never the reporter's words: messages go on to e-mail and group robots.
        notifier.Add(handlers.Where(h => !IsAbout(incident, h)), "Notify.IncidentReported", null, incident.Number, "IncidentSource." + incident.Source);
        audit.Record(AuditActions.IncidentReport, "incident", incident.Id.ToString(), detail: new
        {
            // No suspect here: whoever may read the log must not learn from it that an incident is about them.
            incident.Number, source = incident.Source.ToString(), incident.SourceRef, copy = incident.CopySerial, discovered = incident.DiscoveredAt, told = handlers.Count,
        });
        await db.SaveChangesAsync(ct);
        var caller = await callers.CurrentAsync(ct);
        return await ViewAsync(incident, IsHandler(caller) && !IsAbout(incident, caller.PersonId), ct);
    }

    private void Step(Incident incident, Caller caller, IncidentStepKind kind, string? target, string detail, ContainmentAction? action = null)
    {
        var now = time.GetUtcNow();
        db.Set<IncidentStep>().Add(new IncidentStep
        {
            Id = Guid.CreateVersion7(now), IncidentId = incident.Id, At = now, ActorName = caller.Name, Kind = kind, Target = target, Detail = detail.Length > 4000 ? detail[..4000] : detail, Action = action,
        });
    }

    /// <summary>Saves with the incident's stamp checked: a handler who acted on what another has since changed is told to look again.</summary>
    private async Task SaveAsync(Incident incident, CancellationToken ct)
    {
        incident.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("IncidentChanged");
        }
    }

    private static bool? IsLeak(Incident i) => i.WentBeyondCircle is { } beyond && i.NoneLearntShown is { } shown ? beyond && !shown : null;

    private async Task<IncidentView> ViewAsync(Incident i, bool handler, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!handler)
        {
            return new IncidentView(
                i.Id, i.Number, i.Title, i.Description, i.Source, null, i.ReportedByName, i.ReportedAt, i.DiscoveredAt, null, null, null, i.Status, null, null, null,
                null, null, null, false, null, null, false, null, null, null, i.ClosedAt, null, null, new NoticeInput(), null, [], [], false);
        }

        var steps = await db.Set<IncidentStep>().AsNoTracking().Where(s => s.IncidentId == i.Id).OrderBy(s => s.At).ThenBy(s => s.Id).ToListAsync(ct);
        var partner = i.PartnerId is { } p ? await partners.NameOfAsync(p, ct) : null;
        var playbook = settings.Steps.Select(s =>
        {
            var done = steps.FirstOrDefault(x => x.Kind == IncidentStepKind.Playbook && x.Target == s.Code);
            return new PlaybookView(s.Code, s.Title, s.Role, done?.At, done?.ActorName);
        }).ToList();
        return new IncidentView(
            i.Id, i.Number, i.Title, i.Description, i.Source, i.SourceRef, i.ReportedByName, i.ReportedAt, i.DiscoveredAt, i.SuspectName, i.CopySerial, partner, i.Status,
            i.WentBeyondCircle, i.NoneLearntShown, IsLeak(i), i.AffectedPeople, i.ScopeCustomers, i.Grade, i.CriticalInfrastructure, i.AuthorityDueAt, i.AuthorityReportedAt,
            i.AuthorityDueAt is { } due && i.AuthorityReportedAt is null && due <= now, i.SummaryDueAt, i.SummaryReportedAt, i.ContainedAt, i.ClosedAt, i.Review, i.Accountability,
            new NoticeInput(i.NoticeKinds, i.NoticeCause, i.NoticeHarm, i.NoticeMeasures, i.NoticeAdvice, i.NoticeContact), i.NoticeDraftedAt,
            [.. steps.Select(s => new IncidentStepView(s.Id, s.At, s.ActorName, s.Kind, s.Action, s.Target, s.Detail, s.ReversedAt, s.ReversedBy,
                s.ReversedAt is null && s.Action is ContainmentAction.SuspendPerson or ContainmentAction.BlockPartner && i.Status != IncidentStatus.Closed))],
            playbook, true);
    }

    private static string Required(string? value, string field, int max, string label, bool multiline = false)
    {
        var text = TextInput.CleanOptional(value, field, multiline) ?? "";
        if (text.Length == 0)
        {
            throw CustosException.Invalid("Required", new TextKey(label));
        }

        CheckLength(text, max);
        return text;
    }

    private static void CheckLength(string text, int max)
    {
        if (text.Length > max)
        {
            throw CustosException.Invalid("TooLong", max);
        }
    }

    /// <summary><paramref name="days"/> working days (Monday to Friday, in the company's time zone) after <paramref name="from"/>; public holidays are not known to Custos.</summary>
    public static DateTimeOffset AddWorkingDays(DateTimeOffset from, int days, TimeSpan offset)
    {
        var local = from.ToOffset(offset);
        var added = 0;
        while (added < days)
        {
            local = local.AddDays(1);
            if (local.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday)
            {
                added++;
            }
        }

        return local.ToUniversalTime();
    }
}
