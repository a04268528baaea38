using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Accountability;

/// <summary>A proposal: a person by user name, or an anonymous report's reporter (rewards only), what, why, how much.</summary>
public sealed record NewEntry(
    EntryKind Kind, EntryType Type, EntryGround Ground, string? Person = null, Guid? WhistleReport = null, string? Incident = null, int? Amount = null, string? Reason = null);

public sealed record EntryView(
    Guid Id, string Number, EntryKind Kind, EntryType Type, EntryGround Ground, string? Person, string? Department, bool Anonymous, string? Incident, int? Amount, string Reason,
    EntryStatus Status, string ProposedBy, DateTimeOffset ProposedAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionNote, string? LinkedTo, DateTimeOffset? PaidAt,
    bool MayDecide);

/// <summary>
/// Rewards and penalties (INC-5). Compliance officers, the general manager and department heads (for their own
/// people) propose; a designated report handler proposes a reward to a report's anonymous reporter. The general
/// manager approves or rejects — never their own proposal nor one about themselves. An approved fine puts the
/// leader's share before the person's department heads (the seed's 80%). An anonymous reporter's approved cash
/// reward is told in the report's thread with a claim code, and paid against the receipt code and that claim code.
/// Approved entries are exported for performance reviews. Every step is in the audit log; the person concerned sees
/// what was decided about them, never a pending proposal.
/// </summary>
public sealed class AccountabilityService(
    CustosDbContext db, Callers callers, IAuditTrail audit, Notifier notifier, PeopleService people, Whistleblowing.WhistleService reports,
    Incidents.IncidentService incidents, AccountabilitySettings settings, CustosSettings custos, IStringLocalizer<Web.Strings> text, TimeProvider time)
{
    public const int MaxText = 2000;

    public AccountabilitySettings Settings => settings;

    public async Task<EntryView> ProposeAsync(NewEntry order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await callers.CurrentAsync(ct);
        // Who may propose at all is settled before anything is looked up: nobody else learns which names or incidents exist.
        var handler = order.WhistleReport is not null && await reports.IsHandlerAsync(ct);
        if (caller.PersonId == Guid.Empty || !caller.Subject.Active || !(IsCompliance(caller) || IsGm(caller) || caller.Subject.Roles.Contains(Roles.DepartmentHead) || handler))
        {
            await audit.RecordNowAsync(AuditActions.AccountabilityPropose, "accountability", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotProposeAccountability");
        }

        if (!Enum.IsDefined(order.Kind) || !Enum.IsDefined(order.Type) || !Enum.IsDefined(order.Ground))
        {
            throw CustosException.Invalid("InvalidEnum", "type");
        }

        if (order.Ground == EntryGround.SupervisorLiability)
        {
            // A leader's share follows from an approved fine; nobody proposes one by hand.
            throw CustosException.Invalid("AccountabilityLeaderShareByPolicy");
        }

        if ((order.Kind == EntryKind.Reward) != (order.Type is EntryType.Cash or EntryType.Commendation))
        {
            throw CustosException.Invalid("AccountabilityTypeKind");
        }

        CheckAmount(order.Type, order.Amount);
        var reason = TextInput.CleanOptional(order.Reason, "reason", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey("Accountability.Reason"));
        if (reason.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        string? incident = null;
        if (TextInput.CleanOptional(order.Incident, "incident")?.ToUpperInvariant() is { } number)
        {
            // Incidents are the GM office's and compliance's: only they name one (others would learn which numbers exist).
            incident = (IsCompliance(caller) || IsGm(caller)) && await incidents.NumberExistsAsync(number, ct) ? number : throw CustosException.Invalid("AccountabilityIncidentUnknown", number);
        }

        var now = time.GetUtcNow();
        var entry = new AccountabilityEntry
        {
            Id = Guid.CreateVersion7(now), Number = NewNumber(now), Kind = order.Kind, Type = order.Type, Ground = order.Ground, IncidentNumber = incident, Amount = order.Amount,
            Reason = reason, ProposedById = caller.PersonId, ProposedBy = caller.Name, ProposedAt = now, Stamp = Guid.NewGuid(),
        };
        var person = TextInput.CleanOptional(order.Person, "person");
        if (order.WhistleReport is { } report)
        {
            // The anonymous reporter of a report: rewards only, proposed by a handler the report does not name.
            if (person is not null || order.Type != EntryType.Cash)
            {
                throw CustosException.Invalid("AccountabilityAnonymousReward");
            }

            await reports.RequireHandledReportAsync(report, AuditActions.AccountabilityPropose, ct);
            if (await db.Set<AccountabilityEntry>().AnyAsync(e => e.WhistleReportId == report && e.Status != EntryStatus.Rejected, ct))
            {
                throw CustosException.Conflict("AccountabilityRewardExists");
            }

            (entry.WhistleReportId, entry.ExcludedPersonId) = (report, await reports.SubjectOfAsync(report, ct));
        }
        else
        {
            if (person is null)
            {
                throw CustosException.Invalid("Required", new TextKey("Accountability.Person"));
            }

            Person? target = null;
            try
            {
                target = await people.FindAsync(person, ct);
            }
            catch (CustosException e) when (e.Kind == CustosError.NotFound && !IsCompliance(caller) && !IsGm(caller))
            {
                // A head learns nothing of names outside their departments: an unknown name is refused like a stranger's.
                await audit.RecordNowAsync(AuditActions.AccountabilityPropose, "person", null, AuditOutcome.Denied, new { reason = "role" }, ct);
                throw new CustosException(CustosError.Forbidden, "MayNotProposeAccountability");
            }

            if (!await MayProposeForAsync(caller, target.Id, ct))
            {
                await audit.RecordNowAsync(AuditActions.AccountabilityPropose, "person", target.Id.ToString(), AuditOutcome.Denied, new { reason = target.Id == caller.PersonId ? "self" : "role" }, ct);
                throw new CustosException(CustosError.Forbidden, target.Id == caller.PersonId ? "AccountabilitySelf" : "MayNotProposeAccountability");
            }

            (entry.PersonId, entry.PersonName) = (target.Id, target.DisplayName);
        }

        db.Add(entry);
        notifier.AddToInbox((await db.InRoleAsync(Roles.GeneralManager, ct)).Where(p => p != caller.PersonId && p != entry.PersonId && p != entry.ExcludedPersonId), "Notify.AccountabilityProposed", entry.Number);
        // The log names the person (a penalty is a decision about them), never an anonymous reporter.
        audit.Record(AuditActions.AccountabilityPropose, "accountability", entry.Id.ToString(),
            detail: new { entry.Number, entry.Kind, entry.Type, entry.Ground, entry.Amount, person = entry.PersonId, anonymous = entry.WhistleReportId is not null, incident });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, entry, ct);
    }

    /// <summary>
    /// The general manager approves or rejects (with a reason). Approved: the person is told; a fine puts the leader's
    /// share before the person's department heads; an anonymous cash reward gets its claim code, told in the thread.
    /// </summary>
    public async Task<EntryView> DecideAsync(Guid id, bool approve, string? note, Guid? stamp, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var entry = await db.Set<AccountabilityEntry>().SingleOrDefaultAsync(e => e.Id == id, ct);
        if (entry is null || !await MayReadAsync(caller, entry, ct) || entry.PersonId == caller.PersonId || entry.ExcludedPersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AccountabilityDecide, "accountability", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("AccountabilityNotFound");
        }

        if (!IsGm(caller) || entry.ProposedById == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AccountabilityDecide, "accountability", id.ToString(), AuditOutcome.Denied, new { reason = IsGm(caller) ? "proposer" : "role" }, ct);
            throw new CustosException(CustosError.Forbidden, IsGm(caller) ? "AccountabilityOwnProposal" : "MayNotDecideAccountability");
        }

        if (entry.Status != EntryStatus.Proposed)
        {
            throw CustosException.Conflict("AccountabilityDecided");
        }

        if (stamp is { } s && s != entry.Stamp)
        {
            throw CustosException.Conflict("AccountabilityChanged");
        }

        var reason = TextInput.CleanOptional(note, "note", multiline: true);
        if (!approve && reason is null)
        {
            throw CustosException.Invalid("Required", new TextKey("Accountability.RejectReason"));
        }

        if (reason?.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await ApplyDecisionAsync(caller, entry, approve, reason, now, ct);
        }
        catch
        {
            // Nothing half-done: the entry as it was, nothing else saved with the next entry of the log.
            db.ChangeTracker.Clear();
            throw;
        }

        await tx.CommitAsync(ct);
        return await ViewAsync(caller, entry, ct);
    }

    private async Task ApplyDecisionAsync(Caller caller, AccountabilityEntry entry, bool approve, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        (entry.Status, entry.DecidedAt, entry.DecidedById, entry.DecidedBy, entry.DecisionNote, entry.Stamp) =
            (approve ? EntryStatus.Approved : EntryStatus.Rejected, now, caller.PersonId, caller.Name, reason, Guid.NewGuid());
        if (approve)
        {
            if (entry.PersonId is { } person)
            {
                // The inbox only: a group robot would tell a whole chat that this person has a disciplinary decision.
                notifier.AddToInbox([person], "Notify.AccountabilityApproved", entry.Number);
            }

            if (entry.WhistleReportId is { } report && entry.Type == EntryType.Cash)
            {
                var code = ClaimCode();
                entry.ClaimHash = SHA256.HashData(Encoding.ASCII.GetBytes(code));
                await reports.TellReporterAsync(report, text["Accountability.RewardMessage", entry.Amount ?? 0, code].Value, ct);
            }

            // A leader's share follows from a fine, never from another share.
            if (entry.Type == EntryType.Fine && entry.PersonId is { } fined && settings.LeaderSharePercent > 0 && entry.Ground != EntryGround.SupervisorLiability && entry.LinkedToId is null)
            {
                await ProposeLeaderShareAsync(entry, fined, now, ct);
            }
        }

        audit.Record(AuditActions.AccountabilityDecide, "accountability", entry.Id.ToString(), detail: new { entry.Number, approve });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw CustosException.Conflict("AccountabilityChanged");
        }
    }

    /// <summary>
    /// Pays an anonymous reporter's approved cash reward (a compliance officer): the receipt code and the claim code
    /// together, or nothing — a wrong pair says only that, and is recorded.
    /// </summary>
    public async Task<int> ClaimAsync(string? receipt, string? claimCode, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.AccountabilityClaim, "accountability", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotPayReward");
        }

        var code = new string([.. (claimCode ?? "").ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]);
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(code.Length == 12 ? $"{code[..4]}-{code[4..8]}-{code[8..]}" : "-"));
        var entry = await db.Set<AccountabilityEntry>().SingleOrDefaultAsync(e => e.ClaimHash == hash, ct);
        var report = await reports.ReportOfReceiptAsync(receipt, ct);
        if (entry is null || report is null || entry.WhistleReportId != report || entry.Status != EntryStatus.Approved || entry.ExcludedPersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AccountabilityClaim, "accountability", null, AuditOutcome.Denied, new { reason = entry?.Status == EntryStatus.Paid ? "paid" : "no-match" }, ct);
            throw CustosException.Invalid("RewardClaimInvalid");
        }

        // The day only: the hour, beside who was at the desk, could point to the reporter.
        (entry.Status, entry.PaidAt, entry.PaidBy, entry.Stamp) = (EntryStatus.Paid, new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero), caller.Name, Guid.NewGuid());
        audit.Record(AuditActions.AccountabilityClaim, "accountability", entry.Id.ToString(), detail: new { entry.Number, entry.Amount });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Invalid("RewardClaimInvalid");
        }

        // The payer learns the amount, not the report, the reason or the incident.
        return entry.Amount ?? 0;
    }

    /// <summary>
    /// The register as the caller may see it: compliance, the general manager and auditors everything; heads their
    /// people's decided entries and the proposals they made; anyone their own decided entries and own proposals.
    /// </summary>
    public async Task<IReadOnlyList<EntryView>> ListAsync(EntryStatus? status, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = Visible(caller);
        if (status is { } s)
        {
            query = query.Where(e => e.Status == s);
        }

        var rows = await query.OrderByDescending(e => e.ProposedAt).Take(1000).ToListAsync(ct);
        await audit.RecordNowAsync(AuditActions.AccountabilityView, "accountability", null, AuditOutcome.Success, new { status }, ct);
        var views = new List<EntryView>(rows.Count);
        var departments = await DepartmentsOfAsync(rows.Where(r => r.PersonId is not null).Select(r => r.PersonId!.Value).Distinct().ToList(), ct);
        foreach (var e in rows)
        {
            views.Add(View(caller, e, e.PersonId is { } p ? departments.GetValueOrDefault(p) : null, rows.FirstOrDefault(x => x.Id == e.LinkedToId)?.Number));
        }

        return views;
    }

    /// <summary>Approved (and paid) entries decided in a period, for performance reviews, as XLSX or PDF; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(DateOnly from, DateOnly to, string format, IStringLocalizer localizer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var caller = await callers.CurrentAsync(ct);
        if (to < from || to.DayNumber - from.DayNumber > 731)
        {
            throw CustosException.Invalid("AccountabilityPeriod");
        }

        var offset = caller.Engine.Document.UtcOffset;
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), offset).ToUniversalTime();
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), offset).ToUniversalTime();
        var rows = await Visible(caller).Where(e => (e.Status == EntryStatus.Approved || e.Status == EntryStatus.Paid) && e.DecidedAt >= start && e.DecidedAt < end)
            .OrderBy(e => e.DecidedAt).ToListAsync(ct);
        var departments = await DepartmentsOfAsync(rows.Where(r => r.PersonId is not null).Select(r => r.PersonId!.Value).Distinct().ToList(), ct);
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";
        var table = new Web.Documents.RegisterTable(
            localizer["Accountability.ExportTitle"], localizer["Accountability.ExportCaption", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), caller.Name],
            [localizer["Accountability.Number"], localizer["Accountability.Person"], localizer["Label.Department"], localizer["Accountability.Kind"], localizer["Accountability.Type"],
                localizer["Accountability.Amount"], localizer["Accountability.Ground"], localizer["Accountability.Incident"], localizer["Accountability.Reason"], localizer["Accountability.DecidedBy"]],
            [.. rows.Select(e => (IReadOnlyList<string>)[
                e.Number, e.PersonName ?? localizer["Accountability.AnonymousReporter"], e.PersonId is { } p ? departments.GetValueOrDefault(p) ?? "" : "",
                localizer["EntryKind." + e.Kind], localizer["EntryType." + e.Type], e.Amount?.ToString(CultureInfo.InvariantCulture) ?? "", localizer["EntryGround." + e.Ground],
                e.IncidentNumber ?? "", e.Reason, $"{e.DecidedBy} {At(e.DecidedAt)}"])]);
        await audit.RecordNowAsync(AuditActions.AccountabilityExport, "accountability", null, AuditOutcome.Success, new { from, to, format, rows = rows.Count }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, localizer["Register.Page"], "rewards-penalties", time.GetUtcNow());
    }

    public async Task<bool> IsComplianceAsync(CancellationToken ct) => IsCompliance(await callers.CurrentAsync(ct));

    private void CheckAmount(EntryType type, int? amount)
    {
        var (min, max) = type switch
        {
            EntryType.Cash => (settings.RewardMin, settings.RewardMax),
            EntryType.Fine => (settings.FineMin, settings.FineMax),
            _ => (0, 0),
        };
        if (max == 0 ? amount is not null : amount is not { } a || a < min || a > max)
        {
            throw max == 0 ? CustosException.Invalid("AccountabilityNoAmount") : CustosException.Invalid("AccountabilityAmount", min, max);
        }
    }

    /// <summary>The leader's share of an approved fine, proposed against each department head of the fined person (not the person): decided like any.</summary>
    private async Task ProposeLeaderShareAsync(AccountabilityEntry fine, Guid person, DateTimeOffset now, CancellationToken ct)
    {
        var heads = await db.InRoleAsync(Roles.DepartmentHead, ct);
        var departments = db.DepartmentMemberships.Where(m => m.PersonId == person).Select(m => m.DepartmentId);
        var leaders = await db.DepartmentMemberships.Where(m => heads.Contains(m.PersonId) && m.PersonId != person && departments.Contains(m.DepartmentId))
            .Select(m => m.PersonId).Distinct().Join(db.Users, id => id, u => u.Id, (id, u) => new { u.Id, u.DisplayName }).ToListAsync(ct);
        foreach (var leader in leaders)
        {
            var share = new AccountabilityEntry
            {
                Id = Guid.CreateVersion7(now), Number = NewNumber(now), Kind = EntryKind.Penalty, Type = EntryType.Fine, Ground = EntryGround.SupervisorLiability,
                PersonId = leader.Id, PersonName = leader.DisplayName, IncidentNumber = fine.IncidentNumber, Amount = Math.Max(1, fine.Amount!.Value * settings.LeaderSharePercent / 100),
                // Proposed by the policy itself, decided like any: the general manager who approved the fine may decide it too.
                Reason = text["Accountability.LeaderShareReason", fine.Number, settings.LeaderSharePercent].Value, ProposedById = Guid.Empty, ProposedBy = text["Accountability.ByPolicy"], ProposedAt = now,
                LinkedToId = fine.Id, Stamp = Guid.NewGuid(),
            };
            db.Add(share);
            notifier.Add((await db.InRoleAsync(Roles.GeneralManager, ct)).Where(p => p != leader.Id), "Notify.AccountabilityProposed", null, share.Number);
            audit.Record(AuditActions.AccountabilityPropose, "accountability", share.Id.ToString(), detail: new { share.Number, share.Type, share.Ground, share.Amount, person = leader.Id, linked = fine.Number });
        }
    }

    private IQueryable<AccountabilityEntry> Visible(Caller caller)
    {
        var me = caller.PersonId;
        var query = db.Set<AccountabilityEntry>().AsNoTracking().Where(e => e.ExcludedPersonId == null || e.ExcludedPersonId != me);
        if (IsReader(caller))
        {
            // Everything but what is still pending (or was rejected) about the reader themselves.
            return query.Where(e => e.PersonId == null || e.PersonId != me || (e.Status != EntryStatus.Proposed && e.Status != EntryStatus.Rejected));
        }

        var decided = query.Where(e => e.Status != EntryStatus.Proposed && e.Status != EntryStatus.Rejected);
        if (caller.Subject.Active && caller.Subject.Roles.Contains(Roles.DepartmentHead))
        {
            var departments = caller.Departments.ToList();
            var members = db.DepartmentMemberships.Where(m => departments.Contains(m.DepartmentId)).Select(m => m.PersonId);
            return query.Where(e => e.ProposedById == me
                || (e.PersonId != null && e.PersonId != me && members.Contains(e.PersonId.Value) && e.Status != EntryStatus.Proposed)
                || (e.PersonId == me && e.Status != EntryStatus.Proposed && e.Status != EntryStatus.Rejected));
        }

        return query.Where(e => e.ProposedById == me || (e.PersonId == me && e.Status != EntryStatus.Proposed && e.Status != EntryStatus.Rejected));
    }

    private async Task<bool> MayReadAsync(Caller caller, AccountabilityEntry entry, CancellationToken ct) =>
        await Visible(caller).AnyAsync(e => e.Id == entry.Id, ct);

    /// <summary>Compliance and the general manager for anyone; a department head for the people of their departments; never about oneself.</summary>
    private async Task<bool> MayProposeForAsync(Caller caller, Guid person, CancellationToken ct)
    {
        if (person == caller.PersonId || caller.PersonId == Guid.Empty || !caller.Subject.Active)
        {
            return false;
        }

        if (IsCompliance(caller) || IsGm(caller))
        {
            return true;
        }

        var departments = caller.Departments.ToList();
        return caller.Subject.Roles.Contains(Roles.DepartmentHead) && await db.DepartmentMemberships.AnyAsync(m => m.PersonId == person && departments.Contains(m.DepartmentId), ct);
    }

    private async Task<EntryView> ViewAsync(Caller caller, AccountabilityEntry e, CancellationToken ct)
    {
        var department = e.PersonId is { } p ? (await DepartmentsOfAsync([p], ct)).GetValueOrDefault(p) : null;
        var linked = e.LinkedToId is { } l ? await db.Set<AccountabilityEntry>().Where(x => x.Id == l).Select(x => x.Number).SingleOrDefaultAsync(ct) : null;
        return View(caller, e, department, linked);
    }

    private static EntryView View(Caller caller, AccountabilityEntry e, string? department, string? linked)
    {
        // An anonymous reporter's reward: its reason and incident for the deciding GM and the proposing handler; the payer and others see the amount.
        var open = e.WhistleReportId is null || IsGm(caller) || e.ProposedById == caller.PersonId;
        return new(
            e.Id, e.Number, e.Kind, e.Type, e.Ground, e.PersonName, department, e.WhistleReportId is not null, open ? e.IncidentNumber : null, e.Amount, open ? e.Reason : "", e.Status,
            e.ProposedBy, e.ProposedAt, e.DecidedBy, e.DecidedAt, e.DecisionNote, linked, open ? e.PaidAt : null,
            e.Status == EntryStatus.Proposed && IsGm(caller) && e.ProposedById != caller.PersonId && e.PersonId != caller.PersonId && e.ExcludedPersonId != caller.PersonId);
    }

    private async Task<Dictionary<Guid, string>> DepartmentsOfAsync(IReadOnlyCollection<Guid> people, CancellationToken ct) =>
        (await db.DepartmentMemberships.AsNoTracking().Where(m => people.Contains(m.PersonId)).Join(db.Departments, m => m.DepartmentId, d => d.Id, (m, d) => new { m.PersonId, d.Name }).ToListAsync(ct))
            .GroupBy(x => x.PersonId).ToDictionary(g => g.Key, g => string.Join("、", g.Select(x => x.Name).Order(StringComparer.Ordinal)));

    private static bool IsGm(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.GeneralManager);

    private static bool IsCompliance(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer);

    private static bool IsReader(Caller caller) => IsGm(caller) || IsCompliance(caller) || (caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.Auditor));

    private static string NewNumber(DateTimeOffset now) => $"JC-{now:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Twelve letters and digits without look-alikes, in three groups.</summary>
    private static string ClaimCode()
    {
        const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var letters = RandomNumberGenerator.GetString(Alphabet, 12);
        return $"{letters[..4]}-{letters[4..8]}-{letters[8..]}";
    }
}
