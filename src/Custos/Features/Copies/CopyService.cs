using System.Globalization;
using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Crypto;
using Custos.Kernel.Policy;
using Custos.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Copies;

/// <param name="UseByDays">Days the print may be kept; at most the configured limit.</param>
/// <param name="Recipient">Who receives and signs for the print; the person printing when empty.</param>
public sealed record PrintOrder(string Purpose, string? Note = null, string? Recipient = null, int? UseByDays = null);

/// <param name="Days">Days the archive may be out; at most the configured limit.</param>
/// <param name="Borrower">Who takes the archive and signs for it; the person recording the loan when empty.</param>
[Contract]
public sealed record LoanOrder(string Purpose, string? Note = null, string? Borrower = null, int? Days = null);

/// <summary>The partner a share goes to, and the confidentiality agreement that covers it (EXP-1).</summary>
/// <param name="Partner">The partner receiving it, from the register: its agreement in force is recorded with the copy (EXP-1, PPL-4).</param>
public sealed record ShareTerms(Guid Partner);

/// <param name="Department">Every customer of one department (code) …</param>
/// <param name="Customers">… or these customers.</param>
/// <param name="Fields">Field names to include; name and mobile when empty.</param>
/// <param name="Share">Set for a share outside the company.</param>
public sealed record ExportOrder(
    string Purpose,
    string Passphrase,
    string? Note = null,
    string? Department = null,
    IReadOnlyList<Guid>? Customers = null,
    IReadOnlyList<string>? Fields = null,
    ExportFormat Format = ExportFormat.Csv,
    ShareTerms? Share = null);

/// <summary>A copy on its way out: the bytes, how to name them, and the serial in the ledger. A contract: a subject request hands the customer's own copy out (PIPL art. 45).</summary>
[Contract]
public sealed record CopyFile(byte[] Content, string ContentType, string FileName, string Serial);

[Contract]
public sealed record CopyView(
    Guid Id, string Serial, CopyKind Kind, string Person, string Recipient, string Purpose, int Customers,
    DateTimeOffset CreatedAt, DateTimeOffset? UseBy, CopyStatus Status, DateTimeOffset? ClosedAt, string? ClosedBy, string? Witness, bool Overdue, string Sha256);

/// <summary>What a leaked value says: the copy it is the canary of, and the copies its customer went out in.</summary>
public sealed record TraceResult(IReadOnlyList<CopyView> Fingerprint, IReadOnlyList<CopyView> Containing);

/// <summary>
/// Every copy that leaves (PRT-1, PRT-2, PRT-3, EXP-1, EXP-2, ACC-5): prints stamped 受控文件 and exports or
/// shares sealed with a passphrase, each allowed by the policy (usually through an approved request), recorded
/// in the ledger and the audit log in the same transaction before a byte leaves, and traceable afterwards.
/// </summary>
public sealed partial class CopyService(
    CustosDbContext db,
    Callers callers, CustomerAccess access,
    KeyRing keys,
    IAuditTrail audit,
    CustosSettings settings,
    IStringLocalizer<Strings> text,
    Notifications.Notifier notifier,
    Classification.LevelNames levels,
    Partners.PartnerService partners,
    TimeProvider time)
{
    private const int Batch = 500;

    /// <summary>A print of one customer (PRT-1, PRT-2): fields the caller may reveal in clear, the rest masked.</summary>
    public async Task<CopyFile> PrintAsync(Guid id, PrintOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var (viewer, customer, decision) = await access.LoadForAsync(id, PolicyAction.Print, AuditActions.CustomerPrint, "MayNotPrint", ct);
        var note = callers.CheckPurpose(order.Purpose, order.Note);
        await RequireBasisAsync([customer.Id], AuditActions.CustomerPrint, order.Purpose, ct);
        var limit = settings.Copies.PrintUseByDays;
        var days = order.UseByDays ?? limit;
        if (days < 1 || days > limit)
        {
            throw CustosException.Invalid("UseByDays", limit);
        }

        var recipient = Clean(order.Recipient, 100) ?? viewer.Name;
        Web.Documents.PdfFonts.Use(settings.Copies.PrintFont);

        var now = time.GetUtcNow();
        var useBy = now.AddDays(days);
        var serial = Serial('P', now);
        var department = await db.Departments.Where(d => d.Id == customer.DepartmentId).Select(d => d.Code).SingleAsync(ct);
        List<(FieldDefinition Definition, string Value, bool Clear)> fields;
        using (var cipher = access.OpenCipher(customer))
        {
            fields = access.Readable(viewer, customer, cipher, null).Where(f => f.Value.Length > 0).ToList();
        }

        var stamp = text["Print.Stamp"];
        var pdf = PrintDocument.Render(new PrintContent(
            text["Print.Title"],
            stamp,
            serial,
            [
                (text["Print.Serial"], serial),
                (text["Print.Recipient"], recipient),
                (text["Print.UseBy"], Day(useBy)),
                (text["Print.PrintedBy"], $"{viewer.Name}  {now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"),
                (text["Label.Department"], department),
                (text["Label.Grade"], text["Clearance." + customer.Grade]),
                (text["Print.Purpose"], text["Purpose." + order.Purpose]),
            ],
            [.. fields.Select(f => (Labelled(f.Definition), f.Value))],
            text["Print.Footer"],
            $"{stamp} {recipient} {serial}"));

        var record = Ledger(CopyKind.Print, serial, viewer, recipient, order.Purpose, note, now, SHA256.HashData(pdf), decision.Grant, fields);
        record.UseBy = useBy;
        db.Copies.Add(record);
        db.CopyItems.Add(new CopyItem { CopyId = record.Id, CustomerId = customer.Id });
        audit.Record(AuditActions.CustomerPrint, "customer", customer.Id.ToString(), detail: new
        {
            copy = record.Id, serial, fields = fields.Count, revealed = fields.Where(f => f.Clear).Select(f => f.Definition.Name), useBy = Day(useBy),
            grant = decision.Grant, sha256 = Convert.ToHexStringLower(record.Sha256),
        }, purpose: order.Purpose);
        await db.SaveChangesAsync(ct);
        return new CopyFile(pdf, "application/pdf", $"custos-{serial}.pdf", serial);
    }

    /// <summary>
    /// The customer's original paper archive is lent (PRT-3): to someone who may see the customer, for a stated
    /// purpose, until a due date; it stays in the ledger until it is returned, and an overdue loan is reported.
    /// </summary>
    public async Task<CopyView> LendAsync(Guid id, LoanOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var viewer = await callers.CurrentAsync(ct);
        var customer = await access.LoadInScopeAsync(viewer, id, AuditActions.ArchiveLend, ct);
        var note = callers.CheckPurpose(order.Purpose, order.Note);
        await RequireBasisAsync([customer.Id], AuditActions.ArchiveLend, order.Purpose, ct);
        var limit = settings.Copies.LoanDays;
        var days = order.Days ?? limit;
        if (days < 1 || days > limit)
        {
            throw CustosException.Invalid("UseByDays", limit);
        }

        var now = time.GetUtcNow();
        var record = Ledger(CopyKind.Loan, Serial('L', now), viewer, Clean(order.Borrower, 100) ?? viewer.Name, order.Purpose, note, now, [], null, []);
        record.UseBy = now.AddDays(days);
        db.Copies.Add(record);
        db.CopyItems.Add(new CopyItem { CopyId = record.Id, CustomerId = customer.Id });
        audit.Record(AuditActions.ArchiveLend, "customer", customer.Id.ToString(), detail: new { copy = record.Id, record.Serial, dueBy = Day(record.UseBy.Value) }, purpose: order.Purpose);
        await db.SaveChangesAsync(ct);
        return View(record, now);
    }

    /// <summary>The ledger: one's own copies; everyone's for those who audit.</summary>
    public async Task<IReadOnlyList<CopyView>> ListAsync(bool openOnly, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var all = viewer.Decide(PolicyAction.Audit).Allowed;
        var query = db.Copies.AsNoTracking().Where(c => all || c.PersonId == viewer.PersonId);
        if (openOnly)
        {
            query = query.Where(c => (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan) && c.Status == CopyStatus.Issued);
        }

        var items = await query.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id).Take(500).ToListAsync(ct);
        audit.Record(AuditActions.CopyList, "copy", null, detail: new { openOnly, count = items.Count, everyone = all });
        await db.SaveChangesAsync(ct);
        var now = time.GetUtcNow();
        return [.. items.Select(c => View(c, now))];
    }

    /// <summary>
    /// A paper copy comes back, or is shredded under a witness (PRT-3, DST-2). Its holder or someone who audits
    /// closes it; a destruction names a witness who is someone else.
    /// </summary>
    public async Task<CopyView> CloseAsync(Guid id, CopyStatus outcome, string? witness, string? note, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var copy = await db.Copies.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (copy is null || (copy.PersonId != viewer.PersonId && !viewer.Decide(PolicyAction.Audit).Allowed))
        {
            await audit.RecordNowAsync(AuditActions.CopyClose, "copy", id.ToString(), AuditOutcome.Denied, new { reason = copy is null ? "not-found" : "not-holder" }, ct);
            throw CustosException.NotFound("CopyNotFound");
        }

        if (copy.Kind is not (CopyKind.Print or CopyKind.Loan) || outcome is not (CopyStatus.Returned or CopyStatus.Destroyed))
        {
            throw CustosException.Invalid("CopyNotPaper");
        }

        if (copy.Kind == CopyKind.Loan && outcome != CopyStatus.Returned)
        {
            // An original archive is destroyed through a destruction request, not by closing its loan.
            throw CustosException.Invalid("LoanReturnOnly");
        }

        if (copy.Status != CopyStatus.Issued)
        {
            throw CustosException.Conflict("CopyClosed");
        }

        string? witnessName = null;
        if (outcome == CopyStatus.Destroyed)
        {
            var userName = witness?.Trim() ?? "";
            var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == userName, ct);
            if (person is null || person.Id == viewer.PersonId || person.EmploymentStatus != People.EmploymentStatus.Active)
            {
                throw CustosException.Invalid("WitnessRequired");
            }

            witnessName = person.DisplayName;
        }

        var now = time.GetUtcNow();
        copy.Status = outcome;
        copy.ClosedAt = now;
        copy.ClosedBy = viewer.Name;
        copy.Witness = witnessName;
        copy.ClosingNote = Clean(note, 500);
        audit.Record(copy.Kind == CopyKind.Loan ? AuditActions.ArchiveReturn : outcome == CopyStatus.Returned ? AuditActions.CopyReturn : AuditActions.CopyDestroy, "copy", copy.Id.ToString(),
            detail: new { copy.Serial, witness = witnessName, overdue = copy.UseBy < now });
        await db.SaveChangesAsync(ct);
        return View(copy, now);
    }

    /// <summary>
    /// Prints past their use-by date and still out (PRT-2, PRT-3): the holder and the compliance officers are told
    /// once, and the reminder is recorded. Returns how many were found.
    /// </summary>
    public async Task<int> RemindOverdueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var overdue = await db.Copies.AsNoTracking()
            .Where(c => (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan) && c.Status == CopyStatus.Issued && c.UseBy < now && c.OverdueNotifiedAt == null)
            .OrderBy(c => c.UseBy).Take(500).ToListAsync(ct);
        if (overdue.Count == 0)
        {
            return 0;
        }

        var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var told = 0;
        foreach (var copy in overdue)
        {
            // Claim the copy first: another node (or round) that got there before tells nobody twice.
            var id = copy.Id;
            if (await db.Copies.Where(c => c.Id == id && c.OverdueNotifiedAt == null).ExecuteUpdateAsync(u => u.SetProperty(c => c.OverdueNotifiedAt, now), ct) != 1)
            {
                continue;
            }

            notifier.Add([copy.PersonId, .. officers.Where(o => o != copy.PersonId)], copy.Kind == CopyKind.Loan ? "Notify.LoanOverdue" : "Notify.PrintOverdue", null,
                copy.Serial, copy.Kind == CopyKind.Loan ? copy.Recipient : copy.PersonName, Day(copy.UseBy!.Value));
            audit.Record(AuditActions.CopyOverdue, "copy", copy.Id.ToString(), detail: new { copy.Serial, useBy = Day(copy.UseBy.Value), holder = copy.PersonId });
            told++;
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return told;
    }

    /// <summary>
    /// Where did a leaked value come from (INC, AUD-1): a canary's mobile number or row id names its copy; a real
    /// customer's phone, ID number or name lists the copies that customer went out in. Only those who audit may ask.
    /// </summary>
    public async Task<TraceResult> TraceAsync(string value, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var decision = viewer.Decide(PolicyAction.Audit);
        if (!decision.Allowed)
        {
            await audit.RecordNowAsync(AuditActions.CopyTrace, "copy", null, AuditOutcome.Denied, new { reason = Refusals.AuditReason(decision) }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotAudit");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw CustosException.Invalid("TraceValue");
        }

        var kind = CustomerAccess.Classify(value);
        var hash = keys.BlindIndex.Compute(kind, value);
        var isId = Guid.TryParse(value.Trim(), out var id);
        var fingerprint = isId
            ? await db.Copies.AsNoTracking().Where(c => c.CanaryId == id).ToListAsync(ct)
            : kind == IndexedKind.Phone ? await db.Copies.AsNoTracking().Where(c => c.CanaryHash == hash).ToListAsync(ct) : [];
        var customerIds = isId
            ? [id]
            : await db.CustomerIndexes.Where(i => i.Kind == kind && i.Hash == hash).Select(i => i.CustomerId).Take(50).ToListAsync(ct);
        var containing = await db.Copies.AsNoTracking()
            .Where(c => db.CopyItems.Any(i => i.CopyId == c.Id && customerIds.Contains(i.CustomerId)))
            .OrderByDescending(c => c.CreatedAt).Take(200).ToListAsync(ct);
        // The value is a protected one: only its kind and keyed hash go into the log.
        audit.Record(AuditActions.CopyTrace, "copy", null, detail: new { kind = kind.ToString(), term = keys.AuditHash.Of(kind, value), fingerprints = fingerprint.Count, copies = containing.Count });
        await db.SaveChangesAsync(ct);
        var now = time.GetUtcNow();
        return new TraceResult([.. fingerprint.Select(c => View(c, now))], [.. containing.Select(c => View(c, now))]);
    }

    private CopyRecord Ledger(CopyKind kind, string serial, Caller viewer, string recipient, string purpose, string? note, DateTimeOffset now, byte[] sha256, Guid? grant,
        IEnumerable<(FieldDefinition Definition, string Value, bool Clear)> fields)
    {
        var list = fields.ToList();
        return new CopyRecord
        {
            Id = Guid.CreateVersion7(now),
            Serial = serial,
            Kind = kind,
            PersonId = viewer.PersonId,
            PersonName = viewer.Name,
            Recipient = recipient,
            Purpose = purpose,
            Note = note,
            Customers = 1,
            Fields = string.Join(',', list.Select(f => f.Definition.Name)),
            Revealed = string.Join(',', list.Where(f => f.Clear).Select(f => f.Definition.Name)),
            CreatedAt = now,
            Sha256 = sha256,
            GrantId = grant,
            Status = CopyStatus.Issued,
        };
    }

    private static CopyView View(CopyRecord c, DateTimeOffset now) => new(
        c.Id, c.Serial, c.Kind, c.PersonName, c.Recipient, c.Purpose, c.Customers, c.CreatedAt, c.UseBy, c.Status, c.ClosedAt, c.ClosedBy, c.Witness,
        c.Kind is CopyKind.Print or CopyKind.Loan && c.Status == CopyStatus.Issued && c.UseBy < now, Convert.ToHexStringLower(c.Sha256));

    /// <summary>A field's name with its level, as every print and export shows it (CLS-3): 证件号码（核心）.</summary>
    private string Labelled(FieldDefinition field) => text["Copies.FieldWithLevel", text["Field." + field.Name], levels.Of(field.Level)];

    private static string Serial(char kind, DateTimeOffset now) =>
        $"{kind}-{now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Clean(string? value, int max)
    {
        var trimmed = TextInput.CleanOptional(value, "text");
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Length <= max ? trimmed : throw CustosException.Invalid("TooLong", max);
    }
}
