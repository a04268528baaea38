using System.Globalization;
using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Accounts;
using Custos.Features.Copies;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Leaving;

/// <summary>What an administrator records when someone leaves: who, how, their last working day, and why.</summary>
[Contract]
public sealed record NewDeparture(string? Person = null, DepartureKind Kind = DepartureKind.Departure, DateOnly? LastWorkingDay = null, string? Reason = null);

/// <summary>One line of a hand-over list.</summary>
[Contract]
public sealed record HandoverLine(HandoverKind Kind, string Reference, string Label);

/// <summary>A print or a lent archive still out with the leaving person: it blocks the closure of the file.</summary>
[Contract]
public sealed record CopyOut(string Serial, CopyKind Kind, DateTimeOffset IssuedAt, DateTimeOffset? UseBy);

/// <summary>Where a leaving file stands.</summary>
[Contract]
public enum LeavingStage
{
    /// <summary>Recorded; the person still works until their last day.</summary>
    Announced = 0,

    /// <summary>Their access has ended; the hand-over, the statement or copies still out keep the file open.</summary>
    Left = 1,

    Closed = 2,
}

/// <summary>A leaving file as the people involved see it, with what each of them may do next.</summary>
[Contract]
public sealed record DepartureView(
    Guid Id, Guid PersonId, string PersonName, string UserName, DepartureKind Kind, DateOnly LastWorkingDay, string Reason, DateTimeOffset RecordedAt, string RecordedBy,
    Guid? SuccessorId, string? SuccessorName, DateTimeOffset? SuccessorConfirmedAt, DateTimeOffset? HeadConfirmedAt, string? HeadConfirmedBy, IReadOnlyList<Guid> SuccessorRequests,
    DateTimeOffset? AccessEndedAt, ExitStatementKind? Statement, DateTimeOffset? StatementAt, string? StatementBy, string? StatementNote,
    IReadOnlyList<HandoverLine> Handover, IReadOnlyList<CopyOut> CopiesOut, DateTimeOffset? ClosedAt, string? ClosedBy, LeavingStage Stage,
    IReadOnlyList<string> Missing, bool MayManage, bool MayConfirmAsSuccessor, bool MayConfirmAsHead, bool MaySign, Guid Stamp);

/// <summary>
/// Leaving (PPL-1, PPL-3). An administrator records the last working day, or a dismissal with effect at once; after
/// that day (or at once) every session, token, grant and delegation of the person ends on every node and their open
/// requests are withdrawn. A named successor confirms the hand-over list (the person's departments, projects, roles,
/// clearance, ended grants and decisions waiting for them), then a head of the person's department — or a compliance
/// officer — confirms it, which files the successor's requests for what they lack through the usual approvals. The
/// person signs the exit statement, or a signed paper one or a refusal is recorded. The file closes only when all of
/// that is done and no print or lent archive of theirs is still out; those are escalated to the compliance officers.
/// </summary>
[Contract]
public sealed class LeavingService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, UserManager<Person> users, PeopleService people,
    PersonalConfirmation confirm, Notifier notifier, GrantService grants, RequestService requests, ApiTokens.ApiTokenService tokens, IServiceProvider services, TimeProvider time)
{
    /// <summary>How far back a last working day may be recorded (a leaving reported late), and how far ahead.</summary>
    public const int MaxDaysBack = 30;

    public const int MaxDaysAhead = 366;

    /// <summary>Whether the caller keeps leaving files (records, names successors, closes).</summary>
    public async Task<bool> MayManageAsync(CancellationToken ct) => MayManage(await callers.CurrentAsync(ct));

    public async Task<IReadOnlyList<DepartureView>> ListAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<Departure>().AsNoTracking().Include(d => d.Items);
        List<Departure> files;
        if (MaySeeAll(caller))
        {
            files = await query.OrderBy(d => d.ClosedAt != null).ThenByDescending(d => d.LastWorkingDay).Take(1000).ToListAsync(ct);
        }
        else
        {
            // The files one is part of: one's own, those one succeeds in, those of one's departments' people as their head.
            var departments = IsHead(caller) ? caller.Departments.ToList() : [];
            var me = caller.PersonId;
            files = await query.Where(d => d.PersonId == me || d.SuccessorId == me
                    || db.DepartmentMemberships.Any(m => m.PersonId == d.PersonId && departments.Contains(m.DepartmentId)))
                .OrderBy(d => d.ClosedAt != null).ThenByDescending(d => d.LastWorkingDay).Take(1000).ToListAsync(ct);
        }

        return await ViewsAsync(caller, files, ct);
    }

    /// <summary>One file, for those who may see it; anyone else gets a 404, as if it did not exist.</summary>
    public async Task<DepartureView> GetAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var file = await db.Set<Departure>().AsNoTracking().Include(d => d.Items).SingleOrDefaultAsync(d => d.Id == id, ct);
        if (file is null || !await MaySeeAsync(caller, file, ct))
        {
            throw CustosException.NotFound("LeavingNotFound");
        }

        return (await ViewsAsync(caller, [file], ct))[0];
    }

    /// <summary>
    /// Opens a person's leaving file. A departure keeps their access until the end of the last working day (on every
    /// node: sign-in, sessions and tokens all read the day); a dismissal ends it now.
    /// </summary>
    public async Task<DepartureView> RecordAsync(NewDeparture order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireManagerAsync(AuditActions.LeavingRecord, ct);
        if (!Enum.IsDefined(order.Kind))
        {
            throw CustosException.Invalid("InvalidEnum", "kind");
        }

        var person = await people.FindAsync(TextInput.Clean(order.Person, "person"), ct);
        if (person.Id == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.LeavingRecord, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        if (person.IsBuiltIn)
        {
            throw CustosException.Invalid("BuiltInCannotBeDisabled");
        }

        if (person.EmploymentStatus == EmploymentStatus.Departed || await db.Set<Departure>().AnyAsync(d => d.PersonId == person.Id, ct))
        {
            throw CustosException.Conflict("LeavingExists", person.DisplayName);
        }

        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        var last = order.Kind == DepartureKind.Dismissal ? today : order.LastWorkingDay ?? throw CustosException.Invalid("Required", new TextKey("Leaving.LastWorkingDay"));
        if (last < today.AddDays(-MaxDaysBack) || last > today.AddDays(MaxDaysAhead))
        {
            throw CustosException.Invalid("LeavingDayRange", MaxDaysBack, MaxDaysAhead);
        }

        var reason = Text(order.Reason, "reason", required: true);
        var file = new Departure
        {
            Id = Guid.CreateVersion7(now), PersonId = person.Id, Kind = order.Kind, LastWorkingDay = last, Reason = reason, RecordedAt = now,
            RecordedByName = caller.Name, Stamp = Guid.NewGuid(),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            db.Set<Departure>().Add(file);
            audit.Record(AuditActions.LeavingRecord, "person", person.Id.ToString(), detail: new { file = file.Id, kind = order.Kind.ToString(), lastWorkingDay = last });
            await people.SetDepartureAsync(person.Id, last, ct);
            await StepDownAsSuccessorAsync(person.Id, ct);
            if (order.Kind == DepartureKind.Dismissal)
            {
                await EndAccessAsync(file, ct);
            }
            else
            {
                // Told in their inbox: the statement to sign and the copies to bring back before the day.
                notifier.Add([person.Id], "Notify.LeavingRecorded", null, last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            await db.SaveChangesAsync(ct);
        }
        catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
        {
            throw CustosException.Conflict("LeavingExists", person.DisplayName); // recorded at the same moment by someone else
        }

        await tx.CommitAsync(ct);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>
    /// A leaving at once on the word of a provisioning client (a SCIM deactivation): like a dismissal, the file opened —
    /// or an announced departure brought forward to today — and every session, token and grant ended. Only a SCIM
    /// client acts here; a person already gone is left as they are. Runs inside the caller's transaction.
    /// </summary>
    public async Task DeprovisionAsync(Guid personId, string client, CancellationToken ct)
    {
        if (!actor.Id.StartsWith("scim:", StringComparison.Ordinal))
        {
            throw new CustosException(CustosError.Forbidden, "MayNotManageLeaving");
        }

        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct) ?? throw CustosException.NotFound("PersonNotFound");
        if (person.IsBuiltIn)
        {
            throw CustosException.Invalid("BuiltInCannotBeDisabled");
        }

        if (person.EmploymentStatus == EmploymentStatus.Departed)
        {
            return;
        }

        var now = time.GetUtcNow();
        var today = (await callers.CurrentAsync(ct)).Engine.Today(now);
        var file = await db.Set<Departure>().SingleOrDefaultAsync(d => d.PersonId == personId, ct);
        if (file is null)
        {
            file = new Departure
            {
                Id = Guid.CreateVersion7(now), PersonId = personId, Kind = DepartureKind.Dismissal, LastWorkingDay = today, Reason = Clip("SCIM: " + client, 500), RecordedAt = now,
                RecordedByName = actor.Name, Stamp = Guid.NewGuid(),
            };
            db.Set<Departure>().Add(file);
        }
        else if (file.LastWorkingDay > today)
        {
            file.LastWorkingDay = today;
        }

        audit.Record(AuditActions.LeavingRecord, "person", personId.ToString(), detail: new { file = file.Id, kind = "deprovision", lastWorkingDay = file.LastWorkingDay });
        await people.SetDepartureAsync(personId, file.LastWorkingDay, ct);
        await StepDownAsSuccessorAsync(personId, ct);
        if (file.AccessEndedAt is null)
        {
            await EndAccessAsync(file, ct);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Withdraws an announced departure that has not taken effect (the person stays); the file goes, the log keeps it.</summary>
    public async Task WithdrawAsync(Guid id, CancellationToken ct)
    {
        var (caller, file) = await RequireManagerOfAsync(AuditActions.LeavingWithdraw, id, ct);
        if (file.AccessEndedAt is not null || caller.Engine.HasLeft(file.LastWorkingDay, time.GetUtcNow()))
        {
            await audit.RecordNowAsync(AuditActions.LeavingWithdraw, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "took-effect" }, ct);
            throw CustosException.Conflict("LeavingTookEffect");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The successor's requests cite a hand-over that no longer happens: withdrawn with it.
        var withdrawn = new List<Guid>();
        foreach (var request in SuccessorRequestIds(file))
        {
            if (await requests.WithdrawFiledAsync(request, ct))
            {
                withdrawn.Add(request);
            }
        }

        db.Set<Departure>().Remove(file);
        audit.Record(AuditActions.LeavingWithdraw, "person", file.PersonId.ToString(), detail: new { file = file.Id, lastWorkingDay = file.LastWorkingDay, requests = withdrawn });
        await people.SetDepartureAsync(file.PersonId, null, ct);
        await SaveAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Names the successor and draws up the hand-over list from the person's rights as they stand. A successor must be
    /// someone else who is active and not leaving; naming another one starts the confirmations again.
    /// </summary>
    public async Task<DepartureView> NameSuccessorAsync(Guid id, string? successor, CancellationToken ct)
    {
        var (caller, file) = await RequireManagerOfAsync(AuditActions.LeavingSuccessor, id, ct);
        if (file.ClosedAt is not null || file.HeadConfirmedAt is not null)
        {
            throw CustosException.Conflict("HandoverConfirmed");
        }

        var next = await people.FindAsync(TextInput.Clean(successor, "successor"), ct);
        var refused = next.Id == file.PersonId ? "leaver"
            : next.Id == caller.PersonId ? "self"
            : await UnfitSuccessorAsync(next, caller.Engine, ct);
        if (refused is not null)
        {
            await audit.RecordNowAsync(AuditActions.LeavingSuccessor, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, successor = next.Id, reason = refused }, ct);
            throw CustosException.Invalid(refused switch
            {
                "leaver" => "SuccessorIsLeaver",
                "self" => "SuccessorIsSelf",
                _ => "SuccessorNotActive",
            }, next.DisplayName);
        }

        db.Set<HandoverItem>().RemoveRange(file.Items);
        file.Items.Clear();
        foreach (var line in await HandoverAsync(file.PersonId, ct))
        {
            // Added to the set, not only the collection: an item with its key already set would otherwise be taken for an existing row.
            db.Set<HandoverItem>().Add(new HandoverItem { Id = Guid.NewGuid(), DepartureId = file.Id, Kind = line.Kind, Reference = line.Reference, Label = Clip(line.Label, 300) });
        }

        file.SuccessorId = next.Id;
        file.SuccessorConfirmedAt = null;
        file.Stamp = Guid.NewGuid();
        var leaver = await NameOfAsync(file.PersonId, ct);
        notifier.Add([next.Id], "Notify.HandoverWaiting", null, leaver);
        audit.Record(AuditActions.LeavingSuccessor, "person", file.PersonId.ToString(), detail: new { file = file.Id, successor = next.Id });
        await SaveAsync(ct);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>
    /// Confirms the hand-over, in person: first the successor, then a head of the leaving person's department (or a
    /// compliance officer), who is neither of them. The second confirmation files the successor's requests for the
    /// departments, projects and clearance they lack; the usual approvers decide them.
    /// </summary>
    public async Task<DepartureView> ConfirmAsync(Guid id, Guid stamp, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var file = await LoadAsync(id, ct);
        if (!await MaySeeAsync(caller, file, ct))
        {
            throw CustosException.NotFound("LeavingNotFound");
        }

        // The list confirmed is the one the confirmer saw: a successor named again since gives a new list and a new stamp.
        if (stamp != file.Stamp)
        {
            await audit.RecordNowAsync(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "stale" }, ct);
            throw CustosException.Conflict("LeavingChanged");
        }

        if (actor.FromCommandLine || actor.ViaToken)
        {
            await audit.RecordNowAsync(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "in-person" }, ct);
            throw new CustosException(CustosError.Forbidden, "HandoverInPerson");
        }

        if (file.ClosedAt is not null || file.SuccessorId is null || file.HeadConfirmedAt is not null)
        {
            throw CustosException.Conflict(file.SuccessorId is null ? "HandoverNoSuccessor" : "HandoverConfirmed");
        }

        var now = time.GetUtcNow();
        var successor = await db.Users.AsNoTracking().SingleAsync(u => u.Id == file.SuccessorId, ct);
        if (await UnfitSuccessorAsync(successor, caller.Engine, ct) is { } unfit)
        {
            await audit.RecordNowAsync(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "successor-" + unfit }, ct);
            throw CustosException.Invalid("SuccessorNotActive", successor.DisplayName);
        }

        if (caller.PersonId == file.SuccessorId)
        {
            if (file.SuccessorConfirmedAt is not null)
            {
                throw CustosException.Conflict("HandoverConfirmed");
            }

            file.SuccessorConfirmedAt = now;
            file.Stamp = Guid.NewGuid();
            audit.Record(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), detail: new { file = file.Id, by = "successor" });
            var heads = await HeadsAsync(file.PersonId, ct);
            notifier.Add(heads.Count > 0 ? heads : await db.InRoleAsync(Roles.ComplianceOfficer, ct), "Notify.HandoverToConfirm", null, await NameOfAsync(file.PersonId, ct), caller.Name);
            await SaveAsync(ct);
            return await GetAsync(file.Id, ct);
        }

        if (!await IsHeadOfAsync(caller, file.PersonId, ct) || caller.PersonId == file.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "HandoverNotYours");
        }

        if (file.SuccessorConfirmedAt is null)
        {
            throw CustosException.Conflict("HandoverSuccessorFirst");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var items = file.Items;
        var clearance = items.Where(i => i.Kind == HandoverKind.Clearance).Select(i => Enum.TryParse<Clearance>(i.Reference, out var c) ? c : (Clearance?)null).FirstOrDefault();
        var outcome = await people.RequestTakeOverAsync(
            file.SuccessorId.Value,
            [.. items.Where(i => i.Kind == HandoverKind.Department).Select(i => i.Reference)],
            [.. items.Where(i => i.Kind == HandoverKind.Project).Select(i => i.Reference)],
            clearance,
            Reason(await NameOfAsync(file.PersonId, ct)),
            ct);
        file.HeadConfirmedAt = now;
        file.HeadConfirmedByName = caller.Name;
        file.SuccessorRequests = string.Join(',', outcome.Pending.Select(p => p.Id));
        file.Stamp = Guid.NewGuid();
        audit.Record(AuditActions.LeavingConfirm, "person", file.PersonId.ToString(), detail: new { file = file.Id, by = "head", requests = outcome.Pending.Select(p => p.Id) });
        await SaveAsync(ct);
        await tx.CommitAsync(ct);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>The leaving person signs the exit statement themselves, in a session of their own, confirming with their password or authenticator code.</summary>
    public async Task<DepartureView> SignStatementAsync(Guid id, string? password, string? code, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var file = await LoadAsync(id, ct);
        if (file.PersonId != caller.PersonId)
        {
            throw CustosException.NotFound("LeavingNotFound");
        }

        if (actor.FromCommandLine || actor.ViaToken)
        {
            await audit.RecordNowAsync(AuditActions.LeavingStatement, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "in-person" }, ct);
            throw new CustosException(CustosError.Forbidden, "StatementInPerson");
        }

        if (file.Statement is not null)
        {
            throw CustosException.Conflict("StatementRecorded");
        }

        // The statement says the hand-over is confirmed and every copy is back: signed only once both are true.
        if (!ReadyToSign(file, await CopiesOutAsync([file.PersonId], ct)))
        {
            throw CustosException.Conflict("StatementTooEarly");
        }

        var person = await users.FindByIdAsync(caller.PersonId.ToString()) ?? throw CustosException.NotFound("PersonNotFound");
        var how = await confirm.ConfirmAsync(person, password, code, AuditActions.LeavingStatement, "StatementConfirmationFailed", "StatementLockedOut", ct);
        SetStatement(file, ExitStatementKind.Signed, how, null);
        audit.Record(AuditActions.LeavingStatement, "person", file.PersonId.ToString(), detail: new { file = file.Id, kind = "signed", sha256 = ExitStatement.Sha256, confirmation = how });
        await SaveAsync(ct);
        await users.ResetAccessFailedCountAsync(person);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>Records a paper statement the person signed, or their refusal to sign, with who witnessed it (never for oneself).</summary>
    public async Task<DepartureView> RecordStatementAsync(Guid id, ExitStatementKind kind, string? note, CancellationToken ct)
    {
        var (caller, file) = await RequireManagerOfAsync(AuditActions.LeavingStatement, id, ct);
        if (kind is not (ExitStatementKind.Paper or ExitStatementKind.Refused))
        {
            throw CustosException.Invalid("InvalidEnum", "kind");
        }

        if (file.Statement is not null)
        {
            throw CustosException.Conflict("StatementRecorded");
        }

        var text = Text(note, "note", required: true);
        SetStatement(file, kind, caller.Name, text);
        audit.Record(AuditActions.LeavingStatement, "person", file.PersonId.ToString(), detail: new { file = file.Id, kind = kind.ToString() });
        await SaveAsync(ct);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>Closes the file once the person has left, the hand-over is confirmed, the statement recorded and nothing of theirs is still out; otherwise says what is missing, and records the refusal.</summary>
    public async Task<DepartureView> CloseAsync(Guid id, CancellationToken ct)
    {
        var (caller, file) = await RequireManagerOfAsync(AuditActions.LeavingClose, id, ct);
        if (file.ClosedAt is not null)
        {
            throw CustosException.Conflict("LeavingClosed");
        }

        var missing = Missing(file, await CopiesOutAsync([file.PersonId], ct));
        if (missing.Count > 0)
        {
            await audit.RecordNowAsync(AuditActions.LeavingClose, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, missing }, ct);
            throw CustosException.Conflict("LeavingIncomplete", new TextKey(missing[0]));
        }

        file.ClosedAt = time.GetUtcNow();
        file.ClosedByName = caller.Name;
        file.Stamp = Guid.NewGuid();
        audit.Record(AuditActions.LeavingClose, "person", file.PersonId.ToString(), detail: new { file = file.Id });
        await SaveAsync(ct);
        return await GetAsync(file.Id, ct);
    }

    /// <summary>
    /// The daily work: ends the access of everyone whose last working day has passed, and tells the compliance officers
    /// (once per file) of prints and lent archives still out with people who have left.
    /// </summary>
    public async Task<(int Ended, int Escalated)> RunDueAsync(CancellationToken ct)
    {
        var engine = (await callers.CurrentAsync(ct)).Engine;
        var today = engine.Today(time.GetUtcNow());
        await AdoptAnnouncedAsync(ct);
        var due = await db.Set<Departure>().AsNoTracking().Where(d => d.AccessEndedAt == null && d.LastWorkingDay < today)
            .OrderBy(d => d.LastWorkingDay).Select(d => d.Id).Take(200).ToListAsync(ct);
        var ended = 0;
        foreach (var id in due)
        {
            ended += await OnceAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var file = await db.Set<Departure>().SingleAsync(d => d.Id == id, ct);
                if (file.AccessEndedAt is not null)
                {
                    return false;
                }

                await EndAccessAsync(file, ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return true;
            });
        }

        var paperOut = db.Set<CopyRecord>().Where(c => c.Status == CopyStatus.Issued && (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan)).Select(c => c.PersonId);
        var open = await db.Set<Departure>().AsNoTracking().Where(d => d.AccessEndedAt != null && d.ClosedAt == null && d.CopiesEscalatedAt == null && paperOut.Contains(d.PersonId))
            .OrderBy(d => d.Id).Select(d => new { d.Id, d.PersonId }).Take(500).ToListAsync(ct);
        var outstanding = await CopiesOutAsync([.. open.Select(d => d.PersonId)], ct);
        var officers = outstanding.Count > 0 ? await db.InRoleAsync(Roles.ComplianceOfficer, ct) : [];
        var escalated = 0;
        foreach (var item in open.Where(d => outstanding.Contains(d.PersonId)))
        {
            escalated += await OnceAsync(async () =>
            {
                var file = await db.Set<Departure>().SingleAsync(d => d.Id == item.Id, ct);
                if (file.CopiesEscalatedAt is not null)
                {
                    return false; // another node told them meanwhile
                }

                file.CopiesEscalatedAt = time.GetUtcNow();
                file.Stamp = Guid.NewGuid(); // another node escalating the same file at once fails here: told once
                var copies = outstanding[file.PersonId].ToList();
                notifier.Add(officers.Union(await HeadsAsync(file.PersonId, ct)), "Notify.LeaverCopiesOut", null, await NameOfAsync(file.PersonId, ct),
                    copies.Count.ToString(CultureInfo.InvariantCulture), string.Join(", ", copies.Take(10).Select(c => c.Serial)));
                audit.Record(AuditActions.LeavingEscalate, "person", file.PersonId.ToString(), detail: new { file = file.Id, copies = copies.Select(c => c.Serial) });
                await db.SaveChangesAsync(ct);
                return true;
            });
        }

        return (ended, escalated);
    }

    /// <summary>
    /// A last working day recorded before leaving files existed (or by set-up) gets its file, so that its access ends,
    /// its hand-over and statement are asked for and it closes like any other.
    /// </summary>
    private async Task AdoptAnnouncedAsync(CancellationToken ct)
    {
        var files = db.Set<Departure>().Select(d => d.PersonId);
        var orphans = await db.Users.AsNoTracking().Where(u => u.DepartsOn != null && u.EmploymentStatus != EmploymentStatus.Departed && !files.Contains(u.Id))
            .OrderBy(u => u.Id).Select(u => new { u.Id, u.DepartsOn }).Take(200).ToListAsync(ct);
        foreach (var orphan in orphans)
        {
            await OnceAsync(async () =>
            {
                var now = time.GetUtcNow();
                var file = new Departure
                {
                    Id = Guid.CreateVersion7(now), PersonId = orphan.Id, Kind = DepartureKind.Departure, LastWorkingDay = orphan.DepartsOn!.Value, Reason = "—", RecordedAt = now,
                    RecordedByName = actor.Name, Stamp = Guid.NewGuid(),
                };
                db.Set<Departure>().Add(file);
                audit.Record(AuditActions.LeavingRecord, "person", orphan.Id.ToString(), detail: new { file = file.Id, kind = file.Kind.ToString(), lastWorkingDay = file.LastWorkingDay, adopted = true });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
                {
                    db.ChangeTracker.Clear(); // adopted by another node meanwhile
                    return false;
                }

                return true;
            });
        }
    }

    /// <summary>One step of the daily work; when another node did it first (the file's stamp changed), it is left to them.</summary>
    private async Task<int> OnceAsync(Func<Task<bool>> step)
    {
        try
        {
            return await step() ? 1 : 0;
        }
        catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException or CustosException)
        {
            // Done by another node meanwhile, or failing on its own: this file waits for the next run, the others go on.
            db.ChangeTracker.Clear();
            return 0;
        }
    }

    /// <summary>
    /// Ends the person's access in the caller's transaction: status departed and a new security stamp (every session
    /// and cookie fails its next check, on every node), sessions closed, tokens, grants and delegations revoked, open
    /// requests by or for them withdrawn. Recorded with what was ended.
    /// </summary>
    private async Task EndAccessAsync(Departure file, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var person = await db.Users.SingleAsync(p => p.Id == file.PersonId, ct);
        person.EmploymentStatus = EmploymentStatus.Departed;
        person.SecurityStamp = Guid.NewGuid().ToString("N");
        var revokedTokens = await tokens.RevokeAllOfAsync(person.Id, ct);
        var (endedGrants, delegations) = await grants.EndAllOfAsync(person.Id, actor.Name, "leaving", ct);
        var withdrawn = await requests.WithdrawAllOfAsync(person.Id, ct);
        var seats = await services.GetRequiredService<Committee.CommitteeService>().EndSeatsOfAsync(person.Id, ct);
        file.AccessEndedAt = now;
        file.Stamp = Guid.NewGuid();
        var sessions = await Accounts.Sessions.EndAllAsync(db, person.Id, "leaving", now, ct);
        audit.Record(AuditActions.LeavingAccessEnd, "person", person.Id.ToString(), detail: new
        {
            file = file.Id,
            kind = file.Kind.ToString(),
            sessions,
            tokens = revokedTokens,
            grants = endedGrants,
            requests = withdrawn,
            delegations,
            seats,
        });
    }

    /// <summary>What the person holds now, as a hand-over list: departments, projects, roles, clearance, live grants, and decisions waiting for them.</summary>
    private async Task<List<HandoverLine>> HandoverAsync(Guid person, CancellationToken ct)
    {
        var lines = new List<HandoverLine>();
        lines.AddRange((await db.DepartmentMemberships.Where(m => m.PersonId == person).Select(m => new { m.Department!.Code, m.Department.Name }).ToListAsync(ct))
            .OrderBy(d => d.Code, StringComparer.Ordinal).Select(d => new HandoverLine(HandoverKind.Department, d.Code, d.Name)));
        lines.AddRange((await db.ProjectMemberships.Where(m => m.PersonId == person).Select(m => new { m.Project!.Code, m.Project.Name }).ToListAsync(ct))
            .OrderBy(p => p.Code, StringComparer.Ordinal).Select(p => new HandoverLine(HandoverKind.Project, p.Code, p.Name)));
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person select r.Name!).ToListAsync(ct);
        lines.AddRange(roles.Order(StringComparer.Ordinal).Select(r => new HandoverLine(HandoverKind.Role, r, "")));
        var clearance = await db.Users.Where(u => u.Id == person).Select(u => u.Clearance).SingleAsync(ct);
        lines.Add(new HandoverLine(HandoverKind.Clearance, clearance.ToString(), ""));
        var now = time.GetUtcNow();
        var live = await db.AccessGrants.AsNoTracking().Where(g => g.PersonId == person && g.RevokedAt == null && g.NotAfter > now).OrderBy(g => g.NotAfter).Take(200).ToListAsync(ct);
        // The grant's scope by id only (a customer's name is customer information), its actions and its end.
        lines.AddRange(live.Select(g => new HandoverLine(HandoverKind.Grant, g.Id.ToString(), string.Create(CultureInfo.InvariantCulture,
            $"{(g.CustomerId is { } c ? c.ToString()[..8] : "")} {g.Actions} → {g.NotAfter:yyyy-MM-dd}").Trim())));
        // Requests waiting that were put to them as an approver: the others who hold the role decide them now.
        var waiting = await requests.WaitingForAsync(person, ct);
        lines.AddRange(waiting.Select(w => new HandoverLine(HandoverKind.Approval, w.Id.ToString(), $"{w.Kind} — {w.Requester}")));
        return lines;
    }

    private async Task<ILookup<Guid, CopyOut>> CopiesOutAsync(IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        if (people.Count == 0)
        {
            return Array.Empty<CopyOut>().ToLookup(_ => Guid.Empty);
        }

        var copies = await db.Set<CopyRecord>().AsNoTracking()
            .Where(c => people.Contains(c.PersonId) && c.Status == CopyStatus.Issued && (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan))
            .Select(c => new { c.PersonId, c.Serial, c.Kind, c.CreatedAt, c.UseBy }).ToListAsync(ct);
        return copies.OrderBy(c => c.CreatedAt).ToLookup(c => c.PersonId, c => new CopyOut(c.Serial, c.Kind, c.CreatedAt, c.UseBy));
    }

    /// <summary>Whether what the exit statement says is so: the hand-over confirmed by both, no print or lent archive out.</summary>
    private static bool ReadyToSign(Departure file, ILookup<Guid, CopyOut> copiesOut) =>
        file.SuccessorId is not null && file.SuccessorConfirmedAt is not null && file.HeadConfirmedAt is not null && !copiesOut[file.PersonId].Any();

    /// <summary>What keeps a file from closing, as text keys.</summary>
    private static List<string> Missing(Departure file, ILookup<Guid, CopyOut> copiesOut)
    {
        var missing = new List<string>();
        if (file.AccessEndedAt is null)
        {
            missing.Add("Leaving.Missing.NotLeft");
        }

        if (file.SuccessorId is null)
        {
            missing.Add("Leaving.Missing.Successor");
        }
        else if (file.SuccessorConfirmedAt is null || file.HeadConfirmedAt is null)
        {
            missing.Add("Leaving.Missing.Handover");
        }

        if (file.Statement is null)
        {
            missing.Add("Leaving.Missing.Statement");
        }

        if (copiesOut[file.PersonId].Any())
        {
            missing.Add("Leaving.Missing.Copies");
        }

        return missing;
    }

    private async Task<List<DepartureView>> ViewsAsync(Caller caller, List<Departure> files, CancellationToken ct)
    {
        var ids = files.SelectMany(f => f.SuccessorId is { } s ? new[] { f.PersonId, s } : [f.PersonId]).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.UserName }).ToDictionaryAsync(u => u.Id, ct);
        var copies = await CopiesOutAsync([.. files.Select(f => f.PersonId)], ct);
        var manager = MayManage(caller);
        var headOf = await HeadOfAsync(caller, [.. files.Select(f => f.PersonId)], ct);
        var views = new List<DepartureView>(files.Count);
        foreach (var f in files)
        {
            var head = f.SuccessorConfirmedAt is not null && f.HeadConfirmedAt is null && caller.PersonId != f.SuccessorId && caller.PersonId != f.PersonId
                && headOf.Contains(f.PersonId);
            var stage = f.ClosedAt is not null ? LeavingStage.Closed : f.AccessEndedAt is not null ? LeavingStage.Left : LeavingStage.Announced;
            // Why they leave, the statement's note and the copies they hold are for the keepers, the heads and the person; a successor sees the hand-over.
            var full = MaySeeAll(caller) || headOf.Contains(f.PersonId) || f.PersonId == caller.PersonId;
            views.Add(new DepartureView(
                f.Id, f.PersonId, names.GetValueOrDefault(f.PersonId)?.DisplayName ?? "?", names.GetValueOrDefault(f.PersonId)?.UserName ?? "?", f.Kind, f.LastWorkingDay, full ? f.Reason : "",
                f.RecordedAt, f.RecordedByName, f.SuccessorId, f.SuccessorId is { } s ? names.GetValueOrDefault(s)?.DisplayName : null, f.SuccessorConfirmedAt, f.HeadConfirmedAt,
                f.HeadConfirmedByName, [.. SuccessorRequestIds(f)], f.AccessEndedAt, f.Statement, f.StatementAt,
                f.StatementBy, full ? f.StatementNote : null, [.. f.Items.OrderBy(i => i.Kind).ThenBy(i => i.Reference, StringComparer.Ordinal).Select(i => new HandoverLine(i.Kind, i.Reference, i.Label))],
                full ? [.. copies[f.PersonId]] : [], f.ClosedAt, f.ClosedByName, stage, Missing(f, copies), manager && f.ClosedAt is null && f.PersonId != caller.PersonId,
                f.SuccessorId == caller.PersonId && f.SuccessorConfirmedAt is null && f.ClosedAt is null, head && f.ClosedAt is null,
                f.PersonId == caller.PersonId && f.Statement is null && f.AccessEndedAt is null && ReadyToSign(f, copies), f.Stamp));
        }

        return views;
    }

    private void SetStatement(Departure file, ExitStatementKind kind, string by, string? note)
    {
        file.Statement = kind;
        file.StatementAt = time.GetUtcNow();
        file.StatementSha256 = ExitStatement.Sha256;
        file.StatementBy = Clip(by, 256);
        file.StatementNote = note;
        file.Stamp = Guid.NewGuid();
    }

    private async Task<Departure> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Set<Departure>().Include(d => d.Items).SingleOrDefaultAsync(d => d.Id == id, ct) ?? throw CustosException.NotFound("LeavingNotFound");

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw CustosException.Conflict("LeavingChanged");
        }
    }

    private async Task<bool> MaySeeAsync(Caller caller, Departure file, CancellationToken ct) =>
        MaySeeAll(caller) || file.PersonId == caller.PersonId || file.SuccessorId == caller.PersonId || await IsHeadOfAsync(caller, file.PersonId, ct);

    /// <summary>Administrators and compliance officers keep the files; auditors read them.</summary>
    private bool MaySeeAll(Caller caller) => MayManage(caller) || caller.Subject.Roles.Contains(Roles.Auditor) || (actor.FromCommandLine && actor.Id == FixedActor.System.Id);

    private static bool MayManage(Caller caller) =>
        caller.Subject.Active && (caller.Decide(PolicyAction.Administer).Allowed || caller.Subject.Roles.Contains(Roles.ComplianceOfficer));

    private static bool IsHead(Caller caller) => caller.Subject.Active && caller.Subject.Roles.Contains(Roles.DepartmentHead);

    /// <summary>A head of one of the person's departments, or a compliance officer.</summary>
    private async Task<bool> IsHeadOfAsync(Caller caller, Guid person, CancellationToken ct) => (await HeadOfAsync(caller, [person], ct)).Contains(person);

    /// <summary>Those of <paramref name="people"/> whose files the caller confirms as their head (a compliance officer: all), in one query.</summary>
    private async Task<HashSet<Guid>> HeadOfAsync(Caller caller, IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        if (caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer))
        {
            return [.. people];
        }

        if (!IsHead(caller) || people.Count == 0)
        {
            return [];
        }

        var departments = caller.Departments.ToList();
        return [.. await db.DepartmentMemberships.Where(m => people.Contains(m.PersonId) && departments.Contains(m.DepartmentId)).Select(m => m.PersonId).Distinct().ToListAsync(ct)];
    }

    /// <summary>The department heads of the person's departments (not the person).</summary>
    private async Task<List<Guid>> HeadsAsync(Guid person, CancellationToken ct)
    {
        var heads = await db.InRoleAsync(Roles.DepartmentHead, ct);
        var departments = db.DepartmentMemberships.Where(m => m.PersonId == person).Select(m => m.DepartmentId);
        return await db.DepartmentMemberships.Where(m => heads.Contains(m.PersonId) && m.PersonId != person && departments.Contains(m.DepartmentId))
            .Select(m => m.PersonId).Distinct().ToListAsync(ct);
    }

    /// <summary>A manager acting on someone else's file: nobody names their own successor, closes or withdraws their own leaving (recorded).</summary>
    private async Task<(Caller Caller, Departure File)> RequireManagerOfAsync(string action, Guid id, CancellationToken ct)
    {
        var caller = await RequireManagerAsync(action, ct);
        var file = await LoadAsync(id, ct);
        if (file.PersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(action, "person", file.PersonId.ToString(), AuditOutcome.Denied, new { file = file.Id, reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        return (caller, file);
    }

    /// <summary>Why someone cannot take over (not active, left, or leaving themselves), or null when they can.</summary>
    private async Task<string?> UnfitSuccessorAsync(Person candidate, PolicyEngine engine, CancellationToken ct) =>
        candidate.EmploymentStatus != EmploymentStatus.Active || engine.HasLeft(candidate.DepartsOn, time.GetUtcNow()) ? "not-active"
        : await db.Set<Departure>().AnyAsync(d => d.PersonId == candidate.Id, ct) ? "leaving"
        : null;

    /// <summary>
    /// Someone whose own leaving is recorded stops being the successor on files whose hand-over is not yet confirmed
    /// (the list goes with them; the keepers are told to name another). In the caller's transaction.
    /// </summary>
    private async Task StepDownAsSuccessorAsync(Guid person, CancellationToken ct)
    {
        var files = await db.Set<Departure>().Include(d => d.Items).Where(d => d.SuccessorId == person && d.ClosedAt == null).ToListAsync(ct);
        if (files.Count == 0)
        {
            return;
        }

        var keepers = (await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Union(await db.InRoleAsync(Roles.ItAdministrator, ct)).ToList();
        foreach (var file in files)
        {
            // Nobody takes on rights while leaving: requests filed for them by a confirmed hand-over are withdrawn, and the
            // hand-over starts again with another successor.
            var withdrawn = new List<Guid>();
            foreach (var request in SuccessorRequestIds(file))
            {
                if (await requests.WithdrawFiledAsync(request, ct))
                {
                    withdrawn.Add(request);
                }
            }

            db.Set<HandoverItem>().RemoveRange(file.Items);
            file.SuccessorId = null;
            file.SuccessorConfirmedAt = null;
            file.HeadConfirmedAt = null;
            file.HeadConfirmedByName = null;
            file.SuccessorRequests = null;
            file.Stamp = Guid.NewGuid();
            notifier.Add(keepers, "Notify.SuccessorLeaving", null, await NameOfAsync(file.PersonId, ct));
            audit.Record(AuditActions.LeavingSuccessor, "person", file.PersonId.ToString(), detail: new { file = file.Id, successor = (Guid?)null, reason = "successor-leaving", withdrawn });
        }
    }

    private static IEnumerable<Guid> SuccessorRequestIds(Departure file) =>
        (file.SuccessorRequests ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse);

    private async Task<Caller> RequireManagerAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        // The command line without --as is whoever holds the key file and the database: the operator, as for people.
        if (MayManage(caller) || (actor.FromCommandLine && actor.Id == FixedActor.System.Id))
        {
            return caller;
        }

        await audit.RecordNowAsync(action, "person", null, AuditOutcome.Denied, new { reason = "role" }, ct);
        throw new CustosException(CustosError.Forbidden, "MayNotManageLeaving");
    }

    private async Task<string> NameOfAsync(Guid person, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == person).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) ?? "?";

    private static string Reason(string leaver) => Clip($"交接：接替 {leaver} 的工作", 500);

    private static string Text(string? value, string field, bool required)
    {
        var text = TextInput.CleanOptional(value, field, multiline: true) ?? "";
        if (required && text.Length == 0)
        {
            throw CustosException.Invalid("Required", new TextKey("Leaving.Field." + field));
        }

        return text.Length <= 500 ? text : throw CustosException.Invalid("TooLong", 500);
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..max];
}
