using System.Globalization;
using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.SubjectRequests;

/// <summary>
/// A request as registered. Kind, channel and identity method are names from their lists (an unknown one is a clear
/// error, not a silent default); <paramref name="IdentityCheckedBy"/> is a user name (the person registering when
/// empty); <paramref name="IdentityCheckedAt"/> an instant (now when empty); <paramref name="ReceivedOn"/> the day it
/// arrived (today when empty).
/// </summary>
public sealed record NewSubjectRequest(
    Guid? Customer = null, string? Kind = null, string? Channel = null, DateOnly? ReceivedOn = null,
    string? IdentityMethod = null, string? IdentityCheckedBy = null, DateTimeOffset? IdentityCheckedAt = null);

/// <summary>
/// How a request is answered: the written answer always; for a copy or access request the passphrase that seals the
/// customer's copy; for a correction the new values (field name to value); for a deletion the witness when no
/// approved destruction request names one, and a note for the destruction register.
/// </summary>
public sealed record SubjectAnswer(
    string? Answer = null, string? Passphrase = null, ExportFormat? Format = null, IReadOnlyDictionary<string, string?>? Corrections = null,
    string? Witness = null, string? Note = null);

public sealed record SubjectRequestView(
    Guid Id, string Number, Guid Customer, string Department, SubjectRequestKind Kind, SubjectRequestChannel Channel, DateOnly ReceivedOn, DateOnly DueOn,
    IdentityCheck IdentityMethod, string IdentityCheckedBy, DateTimeOffset IdentityCheckedAt, string RegisteredBy, DateTimeOffset RegisteredAt,
    SubjectRequestStatus Status, string? Answer, RefusalGround? Ground, string? AnsweredBy, DateTimeOffset? AnsweredAt, string? CopySerial,
    IReadOnlyList<string> ChangedFields, Guid? Destruction, bool Overdue, bool MayHandle);

/// <summary>
/// Individuals' requests about their own information (PIPL art. 44–47, SEC-3, SEC-4, DST-1). The customer's department
/// registers a request with the identity check made, and answers it by the deadline (working days, company time): a
/// copy through the copy ledger (an approved export, sealed), a correction through the customer edit path (the
/// fields changed are named, never their values), a deletion through the destruction workflow (an approved request
/// and a witness; answered only once the customer is destroyed) — or refuses it with a ground the law allows.
/// Compliance reads every request. The handler is reminded before the deadline and compliance told after it, once each.
/// Every step is in the audit log; no protected value is written there, in a notification or in an error.
/// </summary>
public sealed class SubjectRequestService(
    CustosDbContext db, Callers callers, CustomerAccess access, CustomerService customers, CopyService copies, DestructionService destruction,
    IAuditTrail audit, Notifier notifier, SubjectRequestSettings settings, TimeProvider time)
{
    public const int MaxAnswer = 2000;

    private const string Target = "subject-request";

    /// <summary>The day a number of working days (Monday to Friday) after <paramref name="from"/>; public holidays are not known to Custos.</summary>
    public static DateOnly AddWorkingDays(DateOnly from, int days)
    {
        var step = days < 0 ? -1 : 1;
        var day = from;
        for (var left = Math.Abs(days); left > 0;)
        {
            day = day.AddDays(step);
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                left--;
            }
        }

        return day;
    }

    public async Task<SubjectRequestView> CreateAsync(NewSubjectRequest order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var kind = Parse<SubjectRequestKind>(order.Kind, "SubjectRequestKind");
        var channel = Parse<SubjectRequestChannel>(order.Channel, "SubjectRequestChannel");
        if (string.IsNullOrWhiteSpace(order.IdentityMethod))
        {
            throw CustosException.Invalid("SubjectRequestIdentityRequired");
        }

        var method = Parse<IdentityCheck>(order.IdentityMethod, "SubjectRequestIdentityRequired");
        if (order.Customer is not { } customerId || customerId == Guid.Empty)
        {
            throw CustosException.Invalid("SubjectRequestCustomer");
        }

        // The customer's own department handles it: someone who may not work on the record does not learn it exists (404).
        var (caller, customer, _) = await access.LoadForAsync(customerId, PolicyAction.Edit, AuditActions.SubjectRequestCreate, "MayNotHandleSubjectRequests", ct);
        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        var received = order.ReceivedOn ?? today;
        if (received > today)
        {
            throw CustosException.Invalid("SubjectRequestReceivedOn");
        }

        var due = AddWorkingDays(received, settings.DeadlineWorkingDays);
        if (due < today)
        {
            throw CustosException.Invalid("SubjectRequestDeadlinePassed", Day(due));
        }

        var checkedAt = order.IdentityCheckedAt?.ToUniversalTime() ?? now;
        if (checkedAt > now.AddMinutes(5) || caller.Engine.Today(checkedAt) < received.AddDays(-1))
        {
            throw CustosException.Invalid("SubjectRequestIdentityTime");
        }

        var checker = await CheckerAsync(caller, order.IdentityCheckedBy, ct);
        if (await db.Set<SubjectRequest>().AnyAsync(r => r.CustomerId == customer.Id && r.Kind == kind && r.Status == SubjectRequestStatus.Open, ct))
        {
            throw CustosException.Conflict("SubjectRequestAlreadyOpen");
        }

        var request = new SubjectRequest
        {
            Id = Guid.CreateVersion7(now), Number = $"SR-{today:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}", CustomerId = customer.Id,
            DepartmentId = customer.DepartmentId, ProjectId = customer.ProjectId, Kind = kind, Channel = channel, ReceivedOn = received, DueOn = due,
            IdentityMethod = method, IdentityCheckedById = checker.Id, IdentityCheckedByName = checker.DisplayName, IdentityCheckedAt = checkedAt,
            RegisteredById = caller.PersonId, RegisteredByName = caller.Name, RegisteredAt = now, Status = SubjectRequestStatus.Open,
        };
        db.Add(request);
        audit.Record(AuditActions.SubjectRequestCreate, Target, request.Id.ToString(), detail: new
        {
            request.Number, customer = customer.Id, kind = kind.ToString(), channel = channel.ToString(), identity = method.ToString(), checkedBy = checker.Id,
            receivedOn = Day(received), dueOn = Day(due),
        });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, request, ct);
    }

    /// <summary>The requests of the caller's departments and projects; every request for those who audit (compliance).</summary>
    public async Task<IReadOnlyList<SubjectRequestView>> ListAsync(bool openOnly, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var all = caller.Decide(PolicyAction.Audit).Allowed;
        var departments = caller.Departments.ToList();
        var projects = caller.Projects.ToList();
        var query = db.Set<SubjectRequest>().AsNoTracking()
            .Where(r => all || departments.Contains(r.DepartmentId) || (r.ProjectId != null && projects.Contains(r.ProjectId.Value)));
        if (openOnly)
        {
            query = query.Where(r => r.Status == SubjectRequestStatus.Open);
        }

        var items = (await query.OrderByDescending(r => r.RegisteredAt).ThenBy(r => r.Id).Take(500).ToListAsync(ct))
            .Where(r => all || MayHandle(caller, r)).ToList();
        audit.Record(AuditActions.SubjectRequestList, Target, null, detail: new { openOnly, count = items.Count, everyone = all });
        await db.SaveChangesAsync(ct);
        var names = await DepartmentNamesAsync(ct);
        var today = caller.Engine.Today(time.GetUtcNow());
        return [.. items.Select(r => View(caller, r, names, today))];
    }

    public async Task<SubjectRequestView> GetAsync(Guid id, CancellationToken ct)
    {
        var (caller, request) = await LoadAsync(id, AuditActions.SubjectRequestView, write: false, ct);
        audit.Record(AuditActions.SubjectRequestView, Target, request.Id.ToString(), detail: new { request.Number });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, request, ct);
    }

    /// <summary>
    /// Answers the request, once: for access or a copy the customer's copy is made (and returned, to be handed over);
    /// for a correction the values are changed through the customer edit path; for a deletion the customer is destroyed
    /// through the destruction workflow, or, destroyed already, the record is linked. Any refusal on the way (no approved
    /// export or destruction, a value the catalogue rejects) leaves the request open and nothing saved.
    /// </summary>
    public async Task<(SubjectRequestView Request, CopyFile? Copy)> AnswerAsync(Guid id, SubjectAnswer order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var (caller, request) = await LoadAsync(id, AuditActions.SubjectRequestAnswer, write: true, ct);
        var text = Text(order.Answer, "SubjectRequest.Answer");
        var corrections = order.Corrections?.Where(c => !string.IsNullOrWhiteSpace(c.Key)).ToDictionary(c => c.Key.Trim(), c => c.Value, StringComparer.Ordinal) ?? [];
        switch (request.Kind)
        {
            case SubjectRequestKind.Access or SubjectRequestKind.Copy when string.IsNullOrEmpty(order.Passphrase):
                throw CustosException.Invalid("SubjectRequestPassphrase");
            case SubjectRequestKind.Correct when corrections.Count == 0:
                throw CustosException.Invalid("SubjectRequestNoCorrection");
        }

        var now = time.GetUtcNow();
        CopyFile? copy = null;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            try
            {
                // Claimed first: a second answer, here or on another node, finds it closed.
                if (await db.Set<SubjectRequest>().Where(r => r.Id == request.Id && r.Status == SubjectRequestStatus.Open)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, SubjectRequestStatus.Answered), ct) != 1)
                {
                    throw CustosException.Conflict("SubjectRequestClosed");
                }

                switch (request.Kind)
                {
                    case SubjectRequestKind.Access or SubjectRequestKind.Copy:
                        copy = await copies.ExportForSubjectAsync(request.CustomerId, order.Passphrase!, request.Number, order.Format ?? ExportFormat.Xlsx, ct);
                        request.CopySerial = copy.Serial;
                        break;
                    case SubjectRequestKind.Correct:
                        var changed = await customers.UpdateAsync(request.CustomerId, corrections, ct);
                        if (changed.Count == 0)
                        {
                            // Nothing differs from what is held: that is a refusal (the information is accurate), not an answer.
                            throw CustosException.Invalid("SubjectRequestNothingChanged");
                        }

                        request.ChangedFields = string.Join(',', changed);
                        break;
                    case SubjectRequestKind.Delete:
                        var done = await destruction.RecordOfAsync(request.CustomerId, ct)
                            ?? await destruction.DestroyAsync(request.CustomerId, new DestroyOrder(order.Witness, order.Note), ct);
                        request.DestructionId = done.Id;
                        break;
                }

                request.Status = SubjectRequestStatus.Answered;
                request.Answer = text;
                request.AnsweredById = caller.PersonId;
                request.AnsweredByName = caller.Name;
                request.AnsweredAt = now;
                audit.Record(AuditActions.SubjectRequestAnswer, Target, request.Id.ToString(), detail: new
                {
                    request.Number, customer = request.CustomerId, kind = request.Kind.ToString(), copy = request.CopySerial, fields = request.ChangedFields?.Split(','),
                    destruction = request.DestructionId, late = caller.Engine.Today(now) > request.DueOn,
                });
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (Exception e) when (e is CustosException or DbUpdateException)
            {
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                // The refusal that came from the copy, edit or destruction path was inside this transaction: said again here, on its own.
                await audit.RecordNowAsync(AuditActions.SubjectRequestAnswer, Target, request.Id.ToString(), AuditOutcome.Denied,
                    new { request.Number, kind = request.Kind.ToString(), reason = e is CustosException c ? c.Code : "conflict" }, ct);
                throw;
            }
        }

        return (await ViewAsync(caller, request, ct), copy);
    }

    /// <summary>Refuses the request with a ground the law allows and the explanation given to the customer; kept with the request.</summary>
    public async Task<SubjectRequestView> RefuseAsync(Guid id, string? ground, string? explanation, CancellationToken ct)
    {
        var (caller, request) = await LoadAsync(id, AuditActions.SubjectRequestRefuse, write: true, ct);
        var reason = Parse<RefusalGround>(ground, "SubjectRequestGround");
        var fits = reason switch
        {
            RefusalGround.RetentionPeriod => request.Kind == SubjectRequestKind.Delete,
            RefusalGround.InformationAccurate => request.Kind == SubjectRequestKind.Correct,
            _ => true,
        };
        if (!fits)
        {
            throw CustosException.Invalid("SubjectRequestGroundKind");
        }

        var text = Text(explanation, "SubjectRequest.Explanation");
        var now = time.GetUtcNow();
        if (await db.Set<SubjectRequest>().Where(r => r.Id == request.Id && r.Status == SubjectRequestStatus.Open)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, SubjectRequestStatus.Refused).SetProperty(r => r.Ground, reason).SetProperty(r => r.Answer, text)
                    .SetProperty(r => r.AnsweredById, caller.PersonId).SetProperty(r => r.AnsweredByName, caller.Name).SetProperty(r => r.AnsweredAt, now), ct) != 1)
        {
            throw CustosException.Conflict("SubjectRequestClosed");
        }

        (request.Status, request.Ground, request.Answer, request.AnsweredById, request.AnsweredByName, request.AnsweredAt) =
            (SubjectRequestStatus.Refused, reason, text, caller.PersonId, caller.Name, now);
        await audit.RecordNowAsync(AuditActions.SubjectRequestRefuse, Target, request.Id.ToString(), AuditOutcome.Success,
            new { request.Number, customer = request.CustomerId, kind = request.Kind.ToString(), ground = reason.ToString(), late = caller.Engine.Today(now) > request.DueOn }, ct);
        return await ViewAsync(caller, request, ct);
    }

    /// <summary>
    /// The timer's work: the handler is reminded the configured working days before the deadline, and compliance (with
    /// the handler) is told once the deadline has passed unanswered — each once, claimed row by row so that a second run
    /// or another node tells nobody twice. Returns how many were told.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        var set = db.Set<SubjectRequest>();
        var told = 0;
        var horizon = today.AddDays((settings.RemindWorkingDaysBefore * 2) + 4);
        var soon = await set.AsNoTracking().Where(r => r.Status == SubjectRequestStatus.Open && r.RemindedAt == null && r.DueOn >= today && r.DueOn <= horizon)
            .OrderBy(r => r.DueOn).Take(500).ToListAsync(ct);
        foreach (var r in soon.Where(r => AddWorkingDays(r.DueOn, -settings.RemindWorkingDaysBefore) <= today))
        {
            told += await TellOnceAsync(r, true, [r.RegisteredById], "Notify.SubjectRequestDue", AuditActions.SubjectRequestRemind, now, ct);
        }

        var late = await set.AsNoTracking().Where(r => r.Status == SubjectRequestStatus.Open && r.EscalatedAt == null && r.DueOn < today)
            .OrderBy(r => r.DueOn).Take(500).ToListAsync(ct);
        if (late.Count > 0)
        {
            var compliance = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
            foreach (var r in late)
            {
                told += await TellOnceAsync(r, false, [r.RegisteredById, .. compliance.Where(c => c != r.RegisteredById)], "Notify.SubjectRequestOverdue", AuditActions.SubjectRequestEscalate, now, ct);
            }
        }

        return told;
    }

    private async Task<int> TellOnceAsync(SubjectRequest r, bool reminder, IEnumerable<Guid> recipients, string kind, string action, DateTimeOffset now, CancellationToken ct)
    {
        var set = db.Set<SubjectRequest>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var claimed = reminder
                ? await set.Where(x => x.Id == r.Id && x.RemindedAt == null && x.Status == SubjectRequestStatus.Open).ExecuteUpdateAsync(s => s.SetProperty(x => x.RemindedAt, now), ct)
                : await set.Where(x => x.Id == r.Id && x.EscalatedAt == null && x.Status == SubjectRequestStatus.Open).ExecuteUpdateAsync(s => s.SetProperty(x => x.EscalatedAt, now), ct);
            if (claimed != 1)
            {
                return 0;
            }

            notifier.Add(recipients, kind, null, r.Number, Day(r.DueOn));
            audit.Record(action, Target, r.Id.ToString(), detail: new { r.Number, kind = r.Kind.ToString(), dueOn = Day(r.DueOn), handler = r.RegisteredById });
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

    /// <summary>A request the caller may read (its department's people; compliance and auditors), else 404; to act on it, its department's people only.</summary>
    private async Task<(Caller Caller, SubjectRequest Request)> LoadAsync(Guid id, string action, bool write, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var request = await db.Set<SubjectRequest>().SingleOrDefaultAsync(r => r.Id == id, ct);
        var handles = request is not null && MayHandle(caller, request);
        var reads = handles || (request is not null && caller.Decide(PolicyAction.Audit).Allowed);
        if (!reads)
        {
            await audit.RecordNowAsync(action, Target, id.ToString(), AuditOutcome.Denied, new { reason = request is null ? "not-found" : "out-of-scope" }, ct);
            throw CustosException.NotFound("SubjectRequestNotFound");
        }

        if (write && !handles)
        {
            await audit.RecordNowAsync(action, Target, id.ToString(), AuditOutcome.Denied, new { reason = "read-only" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotHandleSubjectRequests");
        }

        if (write && request!.Status != SubjectRequestStatus.Open)
        {
            throw CustosException.Conflict("SubjectRequestClosed");
        }

        return (caller, request!);
    }

    private static bool MayHandle(Caller caller, SubjectRequest r) => caller.DecideIn(PolicyAction.Edit, r.DepartmentId, r.ProjectId).Allowed;

    private async Task<Person> CheckerAsync(Caller caller, string? userName, CancellationToken ct)
    {
        var name = TextInput.CleanOptional(userName, "identityCheckedBy");
        var person = name is null
            ? await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == caller.PersonId, ct)
            : await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == name, ct);
        return person is { EmploymentStatus: EmploymentStatus.Active } ? person : throw CustosException.Invalid("SubjectRequestChecker");
    }

    private static T Parse<T>(string? value, string code)
        where T : struct, Enum =>
        Enum.TryParse<T>(value?.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _) ? parsed : throw CustosException.Invalid(code);

    private static string Text(string? value, string label)
    {
        var text = TextInput.CleanOptional(value, "answer", multiline: true) ?? throw CustosException.Invalid("Required", new TextKey(label));
        return text.Length <= MaxAnswer ? text : throw CustosException.Invalid("TooLong", MaxAnswer);
    }

    private async Task<Dictionary<Guid, string>> DepartmentNamesAsync(CancellationToken ct) =>
        await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Name, ct);

    private async Task<SubjectRequestView> ViewAsync(Caller caller, SubjectRequest r, CancellationToken ct) =>
        View(caller, r, await DepartmentNamesAsync(ct), caller.Engine.Today(time.GetUtcNow()));

    private static SubjectRequestView View(Caller caller, SubjectRequest r, Dictionary<Guid, string> departments, DateOnly today) => new(
        r.Id, r.Number, r.CustomerId, departments.GetValueOrDefault(r.DepartmentId, ""), r.Kind, r.Channel, r.ReceivedOn, r.DueOn, r.IdentityMethod,
        r.IdentityCheckedByName, r.IdentityCheckedAt, r.RegisteredByName, r.RegisteredAt, r.Status, r.Answer, r.Ground, r.AnsweredByName, r.AnsweredAt, r.CopySerial,
        r.ChangedFields is { Length: > 0 } f ? f.Split(',') : [], r.DestructionId, r.Status == SubjectRequestStatus.Open && r.DueOn < today,
        r.Status == SubjectRequestStatus.Open && MayHandle(caller, r));

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
