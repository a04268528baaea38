using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Oversight;

public sealed partial class RiskAssessmentService
{
    /// <summary>
    /// Corrective actions the caller may follow: their own; their departments' as a head; all for compliance
    /// officers, auditors and the general manager. Open and done ones; verified too when asked.
    /// </summary>
    public async Task<IReadOnlyList<CorrectiveActionView>> ActionsAsync(bool includeVerified, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<CorrectiveAction>().AsNoTracking().Where(f => includeVerified || f.Status != FindingStatus.Verified);
        if (!IsReader(caller))
        {
            var heads = IsHead(caller) ? caller.Departments.ToList() : [];
            query = query.Where(f => f.OwnerId == caller.PersonId || heads.Contains(f.DepartmentId));
        }

        await audit.RecordNowAsync(AuditActions.CorrectiveActionView, "corrective-action", null, AuditOutcome.Success, new { list = true, includeVerified }, ct);
        return await ActionViewsAsync(caller, query.OrderBy(f => f.DueOn).Take(1000), ct);
    }

    /// <summary>The owner says the action is done, saying what was done; the head and compliance are told it waits for verification.</summary>
    public async Task<CorrectiveActionView> CompleteActionAsync(Guid id, string? note, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var finding = await db.Set<CorrectiveAction>().SingleOrDefaultAsync(f => f.Id == id, ct);
        if (finding is null || finding.OwnerId != caller.PersonId || !caller.Subject.Active)
        {
            await audit.RecordNowAsync(AuditActions.CorrectiveActionDone, "corrective-action", id.ToString(), AuditOutcome.Denied, new { reason = finding is null ? "not-found" : "not-owner" }, ct);
            throw finding is not null && (IsReader(caller) || IsHeadOf(caller, finding.DepartmentId))
                ? new CustosException(CustosError.Forbidden, "MayNotCompleteAction")
                : CustosException.NotFound("CorrectiveActionNotFound");
        }

        if (finding.Status != FindingStatus.Open)
        {
            throw CustosException.Conflict("CorrectiveActionNotOpen");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey("Action.DoneNote"));
        if (text.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        (finding.Status, finding.DoneAt, finding.DoneNote) = (FindingStatus.Done, time.GetUtcNow(), text);
        notifier.Add((await VerifiersAsync(finding, ct)).Where(p => p != caller.PersonId), "Notify.CorrectiveActionDone", null, finding.SourceNumber);
        audit.Record(AuditActions.CorrectiveActionDone, "corrective-action", finding.Id.ToString(), detail: new { finding.SourceNumber });
        await SaveActionAsync(finding, ct);
        return (await ActionViewsAsync(caller, db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.Id == id), ct)).Single();
    }

    /// <summary>
    /// A compliance officer or a head of the department, never the owner, checks a done action: accepted it is closed
    /// as verified; refused it is open again, with the reason told to the owner.
    /// </summary>
    public async Task<CorrectiveActionView> VerifyActionAsync(Guid id, bool accept, string? note, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var finding = await db.Set<CorrectiveAction>().SingleOrDefaultAsync(f => f.Id == id, ct);
        var mayRead = finding is not null && (IsReader(caller) || IsHeadOf(caller, finding.DepartmentId) || finding.OwnerId == caller.PersonId);
        if (finding is null || !mayRead)
        {
            await audit.RecordNowAsync(AuditActions.CorrectiveActionVerify, "corrective-action", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("CorrectiveActionNotFound");
        }

        if (!MayVerify(caller, finding))
        {
            await audit.RecordNowAsync(AuditActions.CorrectiveActionVerify, "corrective-action", id.ToString(), AuditOutcome.Denied, new { reason = finding.OwnerId == caller.PersonId ? "owner" : "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotVerifyAction");
        }

        if (finding.Status != FindingStatus.Done)
        {
            throw CustosException.Conflict("CorrectiveActionNotDone");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true);
        if (!accept && text is null)
        {
            throw CustosException.Invalid("Required", new TextKey("Action.RefuseReason"));
        }

        if (text?.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        var now = time.GetUtcNow();
        if (accept)
        {
            (finding.Status, finding.VerifiedAt, finding.VerifiedById, finding.VerifiedBy) = (FindingStatus.Verified, now, caller.PersonId, caller.Name);
        }
        else
        {
            SendBack(finding, caller.Name, text!, now);
        }

        audit.Record(AuditActions.CorrectiveActionVerify, "corrective-action", finding.Id.ToString(), detail: new { finding.SourceNumber, accept, note = text is not null });
        await SaveActionAsync(finding, ct);
        return (await ActionViewsAsync(caller, db.Set<CorrectiveAction>().AsNoTracking().Where(f => f.Id == id), ct)).Single();
    }

    /// <summary>
    /// The clocks, run every few minutes: opens the month's forms; reminds heads before the due day and escalates to
    /// compliance after it; reminds owners before an action is due and escalates overdue ones. Each told once.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var told = await OpenMonthAsync(ct);
        var now = time.GetUtcNow();
        var set = db.Set<RiskAssessment>();
        var remindFrom = now.AddDays(settings.RemindDaysBefore);
        foreach (var a in await set.AsNoTracking().Where(a => a.Status == AssessmentStatus.Open && a.RemindedAt == null && a.DueAt <= remindFrom).OrderBy(a => a.DueAt).Take(200).ToListAsync(ct))
        {
            told += await ClaimAsync(set.Where(x => x.Id == a.Id && x.RemindedAt == null && x.Status == AssessmentStatus.Open), s => s.SetProperty(x => x.RemindedAt, now),
                await HeadsOfAsync(a.DepartmentId, ct), "Notify.AssessmentDue", AuditActions.AssessmentRemind, "assessment", a.Id, [a.Number, a.DueAt.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], ct);
        }

        var compliance = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
        foreach (var a in await set.AsNoTracking().Where(a => a.Status == AssessmentStatus.Open && a.EscalatedAt == null && a.DueAt <= now).OrderBy(a => a.DueAt).Take(200).ToListAsync(ct))
        {
            told += await ClaimAsync(set.Where(x => x.Id == a.Id && x.EscalatedAt == null && x.Status == AssessmentStatus.Open),
                s => s.SetProperty(x => x.EscalatedAt, now).SetProperty(x => x.RemindedAt, x => x.RemindedAt ?? now),
                [.. compliance.Union(await HeadsOfAsync(a.DepartmentId, ct))], "Notify.AssessmentOverdue", AuditActions.AssessmentEscalate, "assessment", a.Id, [a.Number], ct);
        }

        var actions = db.Set<CorrectiveAction>();
        var offset = (await callers.CurrentAsync(ct)).Engine.Document.UtcOffset;
        var today = DateOnly.FromDateTime(now.ToOffset(offset).DateTime);
        var soon = today.AddDays(settings.ActionRemindDaysBefore);
        foreach (var f in await actions.AsNoTracking().Where(f => f.Status == FindingStatus.Open && f.RemindedAt == null && f.DueOn <= soon).OrderBy(f => f.DueOn).Take(200).ToListAsync(ct))
        {
            told += await ClaimAsync(actions.Where(x => x.Id == f.Id && x.RemindedAt == null && x.Status == FindingStatus.Open), s => s.SetProperty(x => x.RemindedAt, now),
                [f.OwnerId], "Notify.CorrectiveActionDue", AuditActions.CorrectiveActionRemind, "corrective-action", f.Id, [f.SourceNumber, f.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], ct);
        }

        foreach (var f in await actions.AsNoTracking().Where(f => f.Status == FindingStatus.Open && f.EscalatedAt == null && f.DueOn < today).OrderBy(f => f.DueOn).Take(200).ToListAsync(ct))
        {
            told += await ClaimAsync(actions.Where(x => x.Id == f.Id && x.EscalatedAt == null && x.Status == FindingStatus.Open),
                s => s.SetProperty(x => x.EscalatedAt, now).SetProperty(x => x.RemindedAt, x => x.RemindedAt ?? now),
                [.. compliance.Union(await HeadsOfAsync(f.DepartmentId, ct)).Append(f.OwnerId).Distinct()], "Notify.CorrectiveActionOverdue", AuditActions.CorrectiveActionEscalate,
                "corrective-action", f.Id, [f.SourceNumber, f.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)], ct);
        }

        return told;
    }

    /// <summary>Claims a reminder (one row updated, or another node had it) and tells the people in the same transaction.</summary>
    private async Task<int> ClaimAsync<T>(
        IQueryable<T> claim, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<T>> setters, IReadOnlyCollection<Guid> recipients, string kind, string action,
        string target, Guid id, string[] args, CancellationToken ct)
        where T : class
    {
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await claim.ExecuteUpdateAsync(setters, ct) != 1)
            {
                return 0;
            }

            notifier.Add(recipients, kind, null, args);
            audit.Record(action, target, id.ToString(), detail: new { number = args[0] });
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

    /// <summary>Sends a done action back to its owner with the reason (kept, shown to the owner); its clocks start again.</summary>
    internal void SendBack(CorrectiveAction finding, string by, string reason, DateTimeOffset now)
    {
        (finding.Status, finding.DoneAt, finding.RefusedAt, finding.RefusedBy, finding.RefusalNote) = (FindingStatus.Open, null, now, by, reason);
        (finding.RemindedAt, finding.EscalatedAt) = (null, null);
        notifier.Add([finding.OwnerId], "Notify.CorrectiveActionRefused", null, finding.SourceNumber);
    }

    private async Task SaveActionAsync(CorrectiveAction finding, CancellationToken ct)
    {
        finding.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("CorrectiveActionChanged");
        }
    }

    /// <summary>An assessment's action: compliance or the head, never its owner. An inspection's rectification order only by re-inspection.</summary>
    private bool MayVerify(Caller caller, CorrectiveAction finding) =>
        finding.Source == FindingSource.Assessment && caller.PersonId != finding.OwnerId && (IsCompliance(caller) || IsHeadOf(caller, finding.DepartmentId));

    private async Task<List<Guid>> VerifiersAsync(CorrectiveAction finding, CancellationToken ct) =>
        [.. (await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Union(await HeadsOfAsync(finding.DepartmentId, ct)).Where(p => p != finding.OwnerId)];

    internal async Task<List<CorrectiveActionView>> ActionViewsAsync(Caller caller, IQueryable<CorrectiveAction> query, CancellationToken ct)
    {
        var rows = await query.ToListAsync(ct);
        var names = await DepartmentNamesAsync(ct);
        var offset = caller.Engine.Document.UtcOffset;
        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(offset).DateTime);
        return [.. rows.Select(f => new CorrectiveActionView(
            f.Id, f.Source, f.SourceId, f.SourceNumber, names.GetValueOrDefault(f.DepartmentId, ""), f.ItemCode, f.Description, f.Action, f.OwnerName, f.DueOn, f.Status,
            f.Status == FindingStatus.Open && f.DueOn < today, f.DoneAt, f.DoneNote, f.VerifiedBy, f.VerifiedAt, f.RefusedBy, f.RefusalNote, f.Grade,
            f.Status == FindingStatus.Open && f.OwnerId == caller.PersonId && caller.Subject.Active, f.Status == FindingStatus.Done && MayVerify(caller, f)))];
    }

    /// <summary>An action's owner: named (a finding without one is refused), an active person.</summary>
    internal async Task<Person> OwnerAsync(string? owner, CancellationToken ct)
    {
        var name = TextInput.CleanOptional(owner, "owner") ?? throw CustosException.Invalid("Required", new TextKey("Action.Owner"));
        Person? person = null;
        try
        {
            person = await people.FindAsync(name, ct);
        }
        catch (CustosException e) when (e.Kind == CustosError.NotFound)
        {
        }

        // One answer for a name nobody has and for someone who left: the form does not tell which user names exist.
        return person is { EmploymentStatus: EmploymentStatus.Active } ? person : throw CustosException.Invalid("ActionOwnerUnknown", name);
    }

    /// <summary>A new corrective action from a finding: what is wrong, what to do, by when (today to a year ahead, company time).</summary>
    internal CorrectiveAction NewAction(Caller caller, FindingSource source, Guid sourceId, string number, Guid department, string? item, FindingInput input, Person owner)
    {
        var description = TextInput.CleanOptional(input.Description, "description", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey("Action.Finding"));
        var action = TextInput.CleanOptional(input.Action, "action", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey("Action.What"));
        if (description.Length > MaxText || action.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().ToOffset(caller.Engine.Document.UtcOffset).DateTime);
        if (input.DueOn is not { } due)
        {
            throw CustosException.Invalid("Required", new TextKey("Action.DueOn"));
        }

        if (due < today || due > today.AddDays(365))
        {
            throw CustosException.Invalid("ActionDueOn");
        }

        var now = time.GetUtcNow();
        return new CorrectiveAction
        {
            Id = Guid.CreateVersion7(now), Source = source, SourceId = sourceId, SourceNumber = number, ItemCode = item, DepartmentId = department, Description = description,
            Action = action, OwnerId = owner.Id, OwnerName = owner.DisplayName, DueOn = due, CreatedAt = now, CreatedBy = caller.Name, Stamp = Guid.NewGuid(),
        };
    }
}
