using System.Globalization;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Imports;

/// <summary>Where a received list stands (EXP-3).</summary>
public enum ReceivedListStatus
{
    /// <summary>Imported; its entries not yet verified against the list.</summary>
    AwaitingVerification = 0,

    /// <summary>Entered and verified: the received file and list are to be destroyed under supervision.</summary>
    AwaitingDestruction = 1,

    /// <summary>The received file and list were destroyed, with a witness.</summary>
    Destroyed = 2,
}

/// <param name="CustosKeepsCopy">Always false: Custos deletes an uploaded file once it is imported (or abandoned) and keeps only its SHA-256.</param>
public sealed record ReceivedListView(
    Guid Id, string ThirdParty, string FileName, string FileSha256, long Rows, string Department, DateTimeOffset ImportedAt,
    Guid OwnerId, string Owner, string? ImportedBy, ReceivedListStatus Status,
    DateTimeOffset? VerifiedAt, string? VerifiedBy, bool VerifiedByOwner,
    DateTimeOffset? DestroyedAt, ReceivedDestroyMethod? Method, string? Operator, string? Witness, bool CustosKeepsCopy);

/// <param name="AllRowsConfirmed">The owner, who imported the list, confirms every row checked against it.</param>
public sealed record VerifyOrder(bool AllRowsConfirmed = false);

/// <param name="Witness">The user name of the supervising witness: an active person, not the operator.</param>
/// <param name="Operator">The user name of who destroyed it; none: the caller.</param>
public sealed record ReceivedDestroyOrder(ReceivedDestroyMethod? Method, string? Witness, string? Operator = null);

/// <summary>How received lists are followed up (<c>Custos:Imports</c>).</summary>
public sealed class ImportSettings
{
    /// <summary>Days after verification (and between reminders) before the owner is reminded to destroy a received list.</summary>
    public int ReceivedListReminderDays { get; set; } = 7;
}

/// <summary>
/// Lists received from a third party (EXP-3): kept by one owner, their customers view-only for everyone (the policy
/// engine, through <c>Customer.ViewOnly</c>), and — once the entries are verified by someone other than the importer,
/// or the owner confirms every row — the received file and list destroyed under supervision: method, operator and a
/// witness who is another active person, recorded in the audit log. The owner is told to do it, and reminded until it
/// is done. Custos itself keeps no copy of the file (the upload is deleted once imported); only its SHA-256.
/// </summary>
public sealed class ReceivedListService(
    CustosDbContext db,
    Callers callers,
    IAuditTrail audit,
    Notifier notifier,
    ImportSettings settings,
    TimeProvider time)
{
    /// <summary>
    /// The received lists the caller answers for or may see: the owner's and importer's own, those of the caller's
    /// departments (who may verify them), and all for compliance officers — newest first, the waiting ones too.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedListView>> ListAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var lists = await Visible(caller).OrderByDescending(c => c.ImportedAt).Take(500).ToListAsync(ct);
        audit.Record(AuditActions.ImportReceivedList, "collection", null, detail: new { count = lists.Count });
        await db.SaveChangesAsync(ct);
        return await ViewsAsync(lists, ct);
    }

    /// <summary>
    /// The register of received lists the caller may see, as pdf or xlsx: third party, file and its SHA-256, owner, where
    /// each stands, who verified it, and how, by whom and under whose eyes it was destroyed — and that Custos kept no copy.
    /// </summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(string format, Microsoft.Extensions.Localization.IStringLocalizer text, CustosSettings custos, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(custos);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var caller = await callers.CurrentAsync(ct);
        var lists = await ViewsAsync(await Visible(caller).OrderByDescending(c => c.ImportedAt).Take(5000).ToListAsync(ct), ct);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        var table = new Web.Documents.RegisterTable(
            text["Received.Title"], text["Received.NoCopy"],
            [text["Received.ThirdParty"], text["Received.File"], "SHA-256", text["Label.Department"], text["Received.Rows"], text["Received.ImportedAt"], text["Received.Owner"],
                text["Received.Status"], text["Received.VerifiedAt"], text["Received.Verifier"], text["Received.DestroyedAt"], text["Received.Method"], text["Received.Operator"], text["Received.Witness"]],
            [.. lists.Select(l => (IReadOnlyList<string>)[l.ThirdParty, l.FileName, l.FileSha256, l.Department, l.Rows.ToString(CultureInfo.InvariantCulture), At(l.ImportedAt), l.Owner,
                text["ReceivedStatus." + l.Status], At(l.VerifiedAt), l.VerifiedBy ?? "", At(l.DestroyedAt), l.Method is { } m ? text["ReceivedDestroyMethod." + m] : "", l.Operator ?? "", l.Witness ?? ""])]);
        await audit.RecordNowAsync(AuditActions.ImportReceivedList, "collection", null, AuditOutcome.Success, new { format, count = lists.Count }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], "received-lists", time.GetUtcNow());
    }

    /// <summary>One received list the caller may see; any other is not found.</summary>
    public async Task<ReceivedListView> GetAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var list = await Visible(caller).SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw CustosException.NotFound("ReceivedListNotFound");
        return (await ViewsAsync([list], ct))[0];
    }

    /// <summary>
    /// Records that the entries were verified against the received list: by someone of the department other than the
    /// importer, or by the owner confirming every row. The owner is then asked to destroy the list under supervision.
    /// </summary>
    public async Task<ReceivedListView> VerifyAsync(Guid id, VerifyOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await callers.CurrentAsync(ct);
        var list = await Visible(caller).AsTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw CustosException.NotFound("ReceivedListNotFound");
        if (list.VerifiedAt is not null)
        {
            throw CustosException.Conflict("ReceivedListVerified");
        }

        var byOwner = caller.PersonId == list.OwnerId && order.AllRowsConfirmed;
        var importer = list.ImportedById ?? list.OwnerId;
        if (!byOwner)
        {
            if (caller.PersonId == importer)
            {
                // Four eyes: the one who entered the rows does not verify them, unless they are the owner and confirm every row.
                await audit.RecordNowAsync(AuditActions.ImportReceivedVerify, "collection", list.Id.ToString(), AuditOutcome.Denied, new { reason = "importer" }, ct);
                throw caller.PersonId == list.OwnerId
                    ? CustosException.Invalid("ReceivedListConfirmAllRows")
                    : new CustosException(CustosError.Forbidden, "ReceivedListVerifierIsImporter");
            }

            // Someone who may see the department's customers, to check them against the list.
            await callers.RequireAsync(caller.DecideIn(PolicyAction.ViewMasked, list.DepartmentId, null), AuditActions.ImportReceivedVerify, null, "ReceivedListMayNotVerify", ct, "collection");
        }

        var now = time.GetUtcNow();
        list.VerifiedAt = now;
        list.VerifiedById = caller.PersonId;
        list.VerifiedByName = caller.Name;
        list.VerifiedByOwner = byOwner;
        list.DestroyRemindedAt = now;
        notifier.Add([list.OwnerId], "Notify.ReceivedListDestroy", null, list.ThirdParty ?? "", list.FileName);
        audit.Record(AuditActions.ImportReceivedVerify, "collection", list.Id.ToString(), detail: new { byOwner, rows = list.Rows });
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([list], ct))[0];
    }

    /// <summary>
    /// The owner records that the received file and list were destroyed under supervision: how, by whom (the caller,
    /// or a named person), watched by another active person. Only once the entries are verified; only once.
    /// </summary>
    public async Task<ReceivedListView> RecordDestroyedAsync(Guid id, ReceivedDestroyOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await callers.CurrentAsync(ct);
        var list = await Visible(caller).AsTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw CustosException.NotFound("ReceivedListNotFound");
        if (list.OwnerId != caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.ImportReceivedDestroy, "collection", list.Id.ToString(), AuditOutcome.Denied, new { reason = "not-owner" }, ct);
            throw new CustosException(CustosError.Forbidden, "ReceivedListOwnerOnly");
        }

        if (list.ReceivedDestroyedAt is not null)
        {
            throw CustosException.Conflict("ReceivedListDestroyed");
        }

        if (list.VerifiedAt is null)
        {
            throw CustosException.Conflict("ReceivedListNotVerified");
        }

        if (order.Method is not { } method || !Enum.IsDefined(method))
        {
            throw CustosException.Invalid("InvalidEnum", "method");
        }

        var operatorPerson = string.IsNullOrWhiteSpace(order.Operator) ? await ActiveAsync(caller.PersonId, ct) : await ActiveAsync(order.Operator, "ReceivedListOperator", ct);
        if (string.IsNullOrWhiteSpace(order.Witness))
        {
            throw CustosException.Invalid("ReceivedListWitnessRequired");
        }

        var witness = await ActiveAsync(order.Witness, "ReceivedListWitness", ct);
        if (witness.Id == operatorPerson.Id)
        {
            throw CustosException.Invalid("ReceivedListWitnessIsOperator");
        }

        list.ReceivedDestroyedAt = time.GetUtcNow();
        list.ReceivedDestroyMethod = method;
        list.ReceivedDestroyOperatorId = operatorPerson.Id;
        list.ReceivedDestroyOperatorName = operatorPerson.DisplayName;
        list.ReceivedDestroyWitnessId = witness.Id;
        list.ReceivedDestroyWitnessName = witness.DisplayName;
        audit.Record(AuditActions.ImportReceivedDestroy, "collection", list.Id.ToString(), detail: new
        {
            method = method.ToString(), @operator = operatorPerson.Id, witness = witness.Id, custosKeptCopy = false, sha256 = list.FileSha256,
        });
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([list], ct))[0];
    }

    /// <summary>
    /// Reminds the owners of verified lists not yet destroyed, every <see cref="ImportSettings.ReceivedListReminderDays"/>;
    /// each reminder claims its list with a conditional update, so two runs (or two nodes) never remind twice.
    /// </summary>
    public async Task<int> RemindAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = now.AddDays(-Math.Max(1, settings.ReceivedListReminderDays));
        var set = db.Set<CollectionRecord>();
        var told = 0;
        foreach (var list in await set.AsNoTracking().Where(c => c.ThirdParty != null && c.VerifiedAt != null && c.ReceivedDestroyedAt == null && c.DestroyRemindedAt <= due)
                     .OrderBy(c => c.DestroyRemindedAt).Take(200).ToListAsync(ct))
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var last = list.DestroyRemindedAt;
                if (await set.Where(c => c.Id == list.Id && c.DestroyRemindedAt == last && c.ReceivedDestroyedAt == null)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.DestroyRemindedAt, now), ct) != 1)
                {
                    continue;
                }

                notifier.Add([list.OwnerId], "Notify.ReceivedListDestroyReminder", null, list.ThirdParty ?? "", list.FileName,
                    list.VerifiedAt!.Value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                audit.Record(AuditActions.ImportReceivedRemind, "collection", list.Id.ToString(), detail: new { owner = list.OwnerId });
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

    /// <summary>Received lists the caller may see: compliance officers all; others those they own or imported and those of their departments.</summary>
    private IQueryable<CollectionRecord> Visible(Caller caller)
    {
        var lists = db.Set<CollectionRecord>().AsNoTracking().Where(c => c.ThirdParty != null);
        if (caller.PersonId == Guid.Empty || !caller.Subject.Active)
        {
            return lists.Where(_ => false);
        }

        if (caller.Subject.Roles.Contains(Roles.ComplianceOfficer))
        {
            return lists;
        }

        var me = caller.PersonId;
        var departments = caller.Departments.ToList();
        return lists.Where(c => c.OwnerId == me || c.ImportedById == me || departments.Contains(c.DepartmentId));
    }

    private async Task<Person> ActiveAsync(Guid id, CancellationToken ct) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.EmploymentStatus == EmploymentStatus.Active, ct)
        ?? throw CustosException.Invalid("ReceivedListOperator", "");

    private async Task<Person> ActiveAsync(string userName, string code, CancellationToken ct)
    {
        var wanted = userName.Trim().ToUpperInvariant();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedUserName == wanted && u.EmploymentStatus == EmploymentStatus.Active, ct)
            ?? throw CustosException.Invalid(code, userName.Trim());
    }

    private async Task<List<ReceivedListView>> ViewsAsync(IReadOnlyList<CollectionRecord> lists, CancellationToken ct)
    {
        var people = lists.SelectMany(l => new[] { l.OwnerId, l.ImportedById ?? Guid.Empty }).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var departmentIds = lists.Select(l => l.DepartmentId).Distinct().ToList();
        var departments = await db.Departments.AsNoTracking().Where(d => departmentIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.Code, ct);
        return [.. lists.Select(l => new ReceivedListView(
            l.Id, l.ThirdParty ?? "", l.FileName, l.FileSha256, l.Rows, departments.GetValueOrDefault(l.DepartmentId, ""), l.ImportedAt,
            l.OwnerId, names.GetValueOrDefault(l.OwnerId, ""), l.ImportedById is { } by ? names.GetValueOrDefault(by) : null,
            l.ReceivedDestroyedAt is not null ? ReceivedListStatus.Destroyed : l.VerifiedAt is not null ? ReceivedListStatus.AwaitingDestruction : ReceivedListStatus.AwaitingVerification,
            l.VerifiedAt, l.VerifiedByName, l.VerifiedByOwner, l.ReceivedDestroyedAt, l.ReceivedDestroyMethod, l.ReceivedDestroyOperatorName, l.ReceivedDestroyWitnessName,
            CustosKeepsCopy: false))];
    }
}

/// <summary>Once an hour: owners of verified received lists not yet destroyed are reminded (EXP-3).</summary>
internal sealed class ReceivedListWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<ReceivedListWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string ActorName => "custos-received-lists";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<ReceivedListService>().RemindAsync(ct);
}
