using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Classification;
using Custos.Features.Copies;
using Custos.Features.Imports;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Inventory;

/// <summary>Where a line of the inventory comes from.</summary>
public enum InventorySource
{
    /// <summary>An import into Custos, with its collection record.</summary>
    Import = 0,

    /// <summary>Customers entered by hand in Custos (not from an import).</summary>
    Manual = 1,

    /// <summary>Scans of paper archives attached to customers.</summary>
    Attachments = 2,

    /// <summary>Paper copies out: prints and lent archives not yet back.</summary>
    Paper = 3,

    /// <summary>A data set outside Custos, entered by the department.</summary>
    Outside = 4,
}

/// <summary>Stored values by field level (CLS-1): 1 general, 2 sensitive, 3 core. Counted, never read.</summary>
public sealed record LevelCounts(long General, long Sensitive, long Core)
{
    public static readonly LevelCounts None = new(0, 0, 0);

    public long Of(Sensitivity level) => level switch { Sensitivity.General => General, Sensitivity.Sensitive => Sensitive, _ => Core };

    public LevelCounts Plus(LevelCounts other) => new(General + other.General, Sensitive + other.Sensitive, Core + other.Core);
}

/// <summary>
/// One data set of the inventory. <paramref name="Key"/> names a generated line (<c>import:{id}</c>, <c>manual</c>,
/// <c>attachments</c>, <c>paper</c>) or an entry (<c>entry:{id}</c>). <paramref name="Items"/>: rows imported, files
/// attached or copies out. <paramref name="Values"/> is null where the data set is not stored by field (scans, entries).
/// </summary>
public sealed record InventoryLine(
    string Key, InventorySource Source, string? Name, string? Detail, string? Location, string? Owner, Clearance? Grade, string? LegalBasis, string? Purpose, string? Retention,
    long? Customers, long? Items, LevelCounts? Values, DateTimeOffset? Since, Guid? EntryId);

/// <summary>A person of the department who may own a data set.</summary>
public sealed record InventoryOwner(string UserName, string Name);

/// <summary>A department's inventory: its lines, totals, the last review and what the caller may do.</summary>
public sealed record InventoryView(
    Guid DepartmentId, string Code, string Department, string Period, IReadOnlyList<InventoryLine> Lines, long Customers, LevelCounts Values,
    string? ReviewedBy, DateTimeOffset? ReviewedAt, string? ReviewedPeriod, bool ReviewedThisMonth, bool MayEdit, bool MayReview, IReadOnlyList<InventoryOwner> Owners);

/// <summary>A department in the list: customers held, entries, the last review and whether it covers this month.</summary>
public sealed record InventoryStatus(Guid DepartmentId, string Code, string Department, long Customers, int Entries, string? ReviewedBy, DateTimeOffset? ReviewedAt, bool ReviewedThisMonth);

/// <summary>A data set outside Custos as the department describes it; the owner by user name; every field required.</summary>
public sealed record InventoryEntryInput(
    string? Name = null, string? Location = null, string? Owner = null, Clearance? Grade = null, string? LegalBasis = null, string? Purpose = null, string? Retention = null);

/// <summary>Where a generated line is kept and for how long; blank clears it.</summary>
public sealed record InventoryNoteInput(string? Line = null, string? Location = null, string? Retention = null);

/// <summary>
/// The department's customer-information inventory 客户信息清单 (CLS-5). Lines are generated from live data with
/// grouped counts — each import (its collection record and the customers still held from it), customers entered by
/// hand, attachments (scans of paper archives), paper copies out — each with customers, stored values by field level
/// and the highest secrecy grade present; never a value read. The department completes it with the data sets it holds
/// outside Custos and notes where lines are kept and for how long; its head confirms it reviewed each month. The
/// department's people read their own department's inventory, compliance officers and the general manager every
/// department's; anyone else gets a 404. Heads (and those the policy lets import into the department) change it.
/// </summary>
public sealed class InventoryService(
    CustosDbContext db, Callers callers, IAuditTrail audit, CollectionRecords collections, FieldCatalogue catalogue, PeopleService people, CustosSettings custos, TimeProvider time)
{
    public const string ManualLine = "manual";
    public const string AttachmentsLine = "attachments";
    public const string PaperLine = "paper";
    public const string ImportPrefix = "import:";
    public const string EntryPrefix = "entry:";

    /// <summary>The departments the caller may read, each with its customers, entries and last review.</summary>
    public async Task<IReadOnlyList<InventoryStatus>> ListAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var departments = db.Departments.AsNoTracking();
        if (!IsReader(caller))
        {
            var own = Active(caller) ? caller.Departments.ToList() : [];
            departments = departments.Where(d => own.Contains(d.Id));
        }

        var list = await departments.OrderBy(d => d.Code).Select(d => new { d.Id, d.Code, d.Name }).ToListAsync(ct);
        var ids = list.Select(d => d.Id).ToList();
        var customers = await db.Customers.Where(c => ids.Contains(c.DepartmentId)).GroupBy(c => c.DepartmentId).Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var entries = await db.Set<InventoryEntry>().Where(e => ids.Contains(e.DepartmentId)).GroupBy(e => e.DepartmentId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var reviews = (await db.Set<InventoryReview>().AsNoTracking().Where(r => ids.Contains(r.DepartmentId)).ToListAsync(ct))
            .GroupBy(r => r.DepartmentId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.Period, StringComparer.Ordinal).First());
        var period = Period(caller);
        await audit.RecordNowAsync(AuditActions.InventoryView, "inventory", null, AuditOutcome.Success, new { list = true }, ct);
        return [.. list.Select(d =>
        {
            var review = reviews.GetValueOrDefault(d.Id);
            return new InventoryStatus(d.Id, d.Code, d.Name, customers.GetValueOrDefault(d.Id), entries.GetValueOrDefault(d.Id), review?.ReviewedBy, review?.ReviewedAt, review?.Period == period);
        })];
    }

    /// <summary>One department's inventory, generated now; a 404 (recorded) for someone who may not read it.</summary>
    public async Task<InventoryView> GetAsync(string department, CancellationToken ct)
    {
        var (caller, d) = await ReadableAsync(department, AuditActions.InventoryView, ct);
        var view = await ViewAsync(caller, d, ct);
        await audit.RecordNowAsync(AuditActions.InventoryView, "inventory", d.Code, AuditOutcome.Success, new { lines = view.Lines.Count }, ct);
        return view;
    }

    /// <summary>A data set outside Custos; all fields checked before anything is saved.</summary>
    public async Task<InventoryView> AddEntryAsync(string department, InventoryEntryInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, d) = await EditableAsync(department, AuditActions.InventoryEntryAdd, ct);
        var entry = new InventoryEntry { Id = Guid.CreateVersion7(time.GetUtcNow()), DepartmentId = d.Id, CreatedAt = time.GetUtcNow() };
        await FillAsync(entry, d, input, caller, ct);
        db.Add(entry);
        audit.Record(AuditActions.InventoryEntryAdd, "inventory", d.Code, detail: new { entry = entry.Id, entry.Name, entry.Grade });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, d, ct);
    }

    /// <summary>Changes an entry of the department; all fields checked before anything is saved.</summary>
    public async Task<InventoryView> ChangeEntryAsync(string department, Guid id, InventoryEntryInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, d) = await EditableAsync(department, AuditActions.InventoryEntryChange, ct);
        var entry = await db.Set<InventoryEntry>().SingleOrDefaultAsync(e => e.Id == id && e.DepartmentId == d.Id, ct) ?? throw CustosException.NotFound("InventoryEntryNotFound");
        await FillAsync(entry, d, input, caller, ct);
        audit.Record(AuditActions.InventoryEntryChange, "inventory", d.Code, detail: new { entry = entry.Id, entry.Name, entry.Grade });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, d, ct);
    }

    /// <summary>Removes an entry of the department.</summary>
    public async Task<InventoryView> RemoveEntryAsync(string department, Guid id, CancellationToken ct)
    {
        var (caller, d) = await EditableAsync(department, AuditActions.InventoryEntryRemove, ct);
        var entry = await db.Set<InventoryEntry>().SingleOrDefaultAsync(e => e.Id == id && e.DepartmentId == d.Id, ct) ?? throw CustosException.NotFound("InventoryEntryNotFound");
        db.Remove(entry);
        audit.Record(AuditActions.InventoryEntryRemove, "inventory", d.Code, detail: new { entry = entry.Id, entry.Name });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, d, ct);
    }

    /// <summary>Where a generated line is kept and for how long (blank clears); the line must be one the inventory shows now.</summary>
    public async Task<InventoryView> NoteAsync(string department, InventoryNoteInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, d) = await EditableAsync(department, AuditActions.InventoryNote, ct);
        var line = TextInput.CleanOptional(input.Line, "line") ?? throw CustosException.Invalid("InventoryLineUnknown");
        var location = Bounded(TextInput.CleanOptional(input.Location, "location"), InventoryEntry.MaxLocation);
        var retention = Bounded(TextInput.CleanOptional(input.Retention, "retention"), InventoryEntry.MaxRetention);
        var lines = await GeneratedAsync(d.Id, new Dictionary<string, InventoryNote>(StringComparer.Ordinal), ct);
        if (line.StartsWith(EntryPrefix, StringComparison.Ordinal) || lines.All(l => l.Key != line))
        {
            throw CustosException.Invalid("InventoryLineUnknown");
        }

        var note = await db.Set<InventoryNote>().SingleOrDefaultAsync(n => n.DepartmentId == d.Id && n.Line == line, ct);
        if (note is null)
        {
            if (location is null && retention is null)
            {
                return await ViewAsync(caller, d, ct);
            }

            note = new InventoryNote { DepartmentId = d.Id, Line = line };
            db.Add(note);
        }
        else if (location is null && retention is null)
        {
            db.Remove(note);
        }

        (note.Location, note.Retention, note.UpdatedAt, note.UpdatedBy) = (location, retention, time.GetUtcNow(), caller.Name);
        audit.Record(AuditActions.InventoryNote, "inventory", d.Code, detail: new { line, location, retention });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(caller, d, ct);
    }

    /// <summary>The department's head confirms the inventory reviewed for this month (company time); once a month.</summary>
    public async Task<InventoryView> ReviewAsync(string department, CancellationToken ct)
    {
        var (caller, d) = await ReadableAsync(department, AuditActions.InventoryReview, ct);
        if (!IsHeadOf(caller, d.Id))
        {
            await audit.RecordNowAsync(AuditActions.InventoryReview, "inventory", d.Code, AuditOutcome.Denied, new { reason = "not-head" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReviewInventory");
        }

        var period = Period(caller);
        if (await db.Set<InventoryReview>().AnyAsync(r => r.DepartmentId == d.Id && r.Period == period, ct))
        {
            throw CustosException.Conflict("InventoryReviewedAlready", period);
        }

        var review = new InventoryReview { Id = Guid.CreateVersion7(time.GetUtcNow()), DepartmentId = d.Id, Period = period, ReviewedById = caller.PersonId, ReviewedBy = caller.Name, ReviewedAt = time.GetUtcNow() };
        db.Add(review);
        audit.Record(AuditActions.InventoryReview, "inventory", d.Code, detail: new { period });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateException || e is Audit.AuditWriteException { IsUniqueViolation: true })
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("InventoryReviewedAlready", period);
        }

        return await ViewAsync(caller, d, ct);
    }

    /// <summary>Whether the caller may read every department's inventory (compliance officers, the general manager).</summary>
    public async Task<bool> IsReaderAsync(CancellationToken ct) => IsReader(await callers.CurrentAsync(ct));

    /// <summary>This month (company time), yyyy-MM.</summary>
    public async Task<string> PeriodAsync(CancellationToken ct) => Period(await callers.CurrentAsync(ct));

    /// <summary>
    /// The inventory as PDF or XLSX: the department's name, every line with its owner's name, grade and field-level
    /// counts under their labels (CLS-3), the reviewed-by line and a check code (the first 16 hex digits of the SHA-256
    /// of the lines and the review), also written to the export's audit entry. Counts and descriptions, never a value.
    /// </summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportAsync(string department, string format, IStringLocalizer text, LevelNames levels, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(levels);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, d) = await ReadableAsync(department, AuditActions.InventoryExport, ct);
        var view = await ViewAsync(caller, d, ct);
        var check = CheckCode(view);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        string N(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "—";
        var rows = new List<IReadOnlyList<string>> { new[] { text["Label.Department"].Value, $"{view.Department} ({view.Code})", "", "", "", "", "", "", "", "", "", "", "" } };
        foreach (var l in view.Lines)
        {
            rows.Add([
                LineName(text, l), text["InventorySource." + l.Source], LineLocation(text, l), l.Owner ?? "", l.Grade is { } g ? text["Clearance." + g] : "—",
                l.LegalBasis ?? "", l.Purpose ?? "", l.Retention ?? "", N(l.Customers), N(l.Items), N(l.Values?.General), N(l.Values?.Sensitive), N(l.Values?.Core)]);
        }

        rows.Add([text["Inventory.Total"], "", "", "", "", "", "", "", N(view.Customers), "", N(view.Values.General), N(view.Values.Sensitive), N(view.Values.Core)]);
        rows.Add([text["Inventory.ReviewedBy"], view.ReviewedBy is null ? text["Inventory.NotReviewed"] : text["Inventory.ReviewedLine", view.ReviewedBy, At(view.ReviewedAt), view.ReviewedPeriod ?? ""], "", "", "", "", "", "", "", "", "", "", ""]);
        rows.Add([text["Inventory.CheckCode"], check, "", "", "", "", "", "", "", "", "", "", ""]);
        var table = new Web.Documents.RegisterTable(
            text["Inventory.DocumentTitle", view.Department],
            text["Inventory.Caption", view.Department, view.Code, At(time.GetUtcNow()), caller.Name],
            [text["Inventory.DataSet"], text["Inventory.Source"], text["Inventory.Location"], text["Inventory.Owner"], text["Inventory.Grade"], text["Inventory.LegalBasis"],
                text["Inventory.Purpose"], text["Inventory.Retention"], text["Inventory.Customers"], text["Inventory.Items"],
                levels.Of(Sensitivity.General), levels.Of(Sensitivity.Sensitive), levels.Of(Sensitivity.Core)],
            rows);
        await audit.RecordNowAsync(AuditActions.InventoryExport, "inventory", d.Code, AuditOutcome.Success, new { format, check, lines = view.Lines.Count }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], "inventory-" + view.Code, time.GetUtcNow());
    }

    /// <summary>A line's name as people read it: the import's source and file, the entry's name, or what the generated line is.</summary>
    public static string LineName(IStringLocalizer text, InventoryLine line)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(line);
        return line.Source switch
        {
            InventorySource.Import => $"{line.Name} ({line.Detail})",
            InventorySource.Outside => line.Name ?? "",
            _ => text["InventoryLine." + line.Source],
        };
    }

    /// <summary>Where a line is: the department's note, the entry's place, or where Custos keeps it.</summary>
    public static string LineLocation(IStringLocalizer text, InventoryLine line)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(line);
        return line.Location ?? (line.Source == InventorySource.Paper ? text["Inventory.WithHolders"] : text["Inventory.InCustos"]);
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the inventory's lines and its last review.</summary>
    public static string CheckCode(InventoryView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var canonical = new StringBuilder().Append(view.Code).Append('|').Append(view.Period);
        foreach (var l in view.Lines)
        {
            canonical.Append('|').Append(l.Key).Append(';').Append(l.Name).Append(';').Append(l.Location).Append(';').Append(l.Owner).Append(';').Append(l.Grade)
                .Append(';').Append(l.LegalBasis).Append(';').Append(l.Purpose).Append(';').Append(l.Retention).Append(';').Append(l.Customers).Append(';').Append(l.Items)
                .Append(';').Append(l.Values?.General).Append(',').Append(l.Values?.Sensitive).Append(',').Append(l.Values?.Core);
        }

        canonical.Append("|R").Append(view.ReviewedBy).Append(view.ReviewedAt?.ToUnixTimeSeconds()).Append(view.ReviewedPeriod);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..16];
    }

    private static bool Active(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active;

    private static bool IsReader(Caller caller) =>
        Active(caller) && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.GeneralManager));

    private static bool MayRead(Caller caller, Guid department) => IsReader(caller) || (Active(caller) && caller.Departments.Contains(department));

    private static bool IsHeadOf(Caller caller, Guid department) =>
        Active(caller) && caller.Subject.Roles.Contains(Roles.DepartmentHead) && caller.Departments.Contains(department);

    /// <summary>The head, and members whom the policy lets bring data sets into the department (import).</summary>
    private static bool MayEdit(Caller caller, Guid department) =>
        IsHeadOf(caller, department) || (Active(caller) && caller.Departments.Contains(department) && caller.DecideIn(PolicyAction.Import, department, null).Allowed);

    private static string Period(Caller caller) =>
        caller.Context.Now.ToOffset(caller.Engine.Document.UtcOffset).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private async Task<(Caller Caller, Department Department)> ReadableAsync(string code, string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var normalised = (code ?? "").Trim().ToUpperInvariant();
        var department = normalised.Length is > 0 and <= 64 ? await db.Departments.AsNoTracking().SingleOrDefaultAsync(d => d.Code == normalised, ct) : null;
        if (department is null || !MayRead(caller, department.Id))
        {
            await audit.RecordNowAsync(action, "inventory", department?.Code, AuditOutcome.Denied, new { reason = department is null ? "not-found" : "not-reader" }, ct);
            throw CustosException.NotFound("InventoryNotFound");
        }

        return (caller, department);
    }

    private async Task<(Caller Caller, Department Department)> EditableAsync(string code, string action, CancellationToken ct)
    {
        var (caller, department) = await ReadableAsync(code, action, ct);
        if (!MayEdit(caller, department.Id))
        {
            await audit.RecordNowAsync(action, "inventory", department.Code, AuditOutcome.Denied, new { reason = "not-editor" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotEditInventory");
        }

        return (caller, department);
    }

    private static string? Bounded(string? text, int max) => text?.Length > max ? throw CustosException.Invalid("TooLong", max) : text;

    private static string Required(string? value, string field, string label, int max, bool multiline = false) =>
        Bounded(TextInput.CleanOptional(value, field, multiline), max) ?? throw CustosException.Invalid("Required", new TextKey(label));

    /// <summary>Checks every field, then writes them into the entry (nothing is changed if one is wrong).</summary>
    private async Task FillAsync(InventoryEntry entry, Department department, InventoryEntryInput input, Caller caller, CancellationToken ct)
    {
        var name = Required(input.Name, "name", "Inventory.Name", InventoryEntry.MaxName);
        var location = Required(input.Location, "location", "Inventory.Location", InventoryEntry.MaxLocation);
        var ownerName = TextInput.CleanOptional(input.Owner, "owner") ?? throw CustosException.Invalid("Required", new TextKey("Inventory.Owner"));
        var grade = input.Grade is { } g && Enum.IsDefined(g) ? g : throw CustosException.Invalid("Required", new TextKey("Inventory.Grade"));
        var legalBasis = Required(input.LegalBasis, "legalBasis", "Inventory.LegalBasis", InventoryEntry.MaxLegalBasis);
        var purpose = Required(input.Purpose, "purpose", "Inventory.Purpose", InventoryEntry.MaxPurpose, multiline: true);
        var retention = Required(input.Retention, "retention", "Inventory.Retention", InventoryEntry.MaxRetention);
        Person? owner = null;
        try
        {
            owner = await people.FindAsync(ownerName, ct);
        }
        catch (CustosException e) when (e.Kind == CustosError.NotFound)
        {
        }

        // One answer for a name nobody has, someone who left and someone of another department: the form does not tell which user names exist.
        if (owner is not { EmploymentStatus: EmploymentStatus.Active }
            || !await db.DepartmentMemberships.AnyAsync(m => m.DepartmentId == department.Id && m.PersonId == owner.Id, ct))
        {
            throw CustosException.Invalid("InventoryOwnerUnknown", ownerName);
        }

        (entry.Name, entry.Location, entry.OwnerId, entry.OwnerName, entry.Grade, entry.LegalBasis, entry.Purpose, entry.Retention) =
            (name, location, owner.Id, owner.DisplayName, grade, legalBasis, purpose, retention);
        (entry.UpdatedAt, entry.UpdatedBy) = (time.GetUtcNow(), caller.Name);
    }

    private async Task<InventoryView> ViewAsync(Caller caller, Department d, CancellationToken ct)
    {
        var notes = await db.Set<InventoryNote>().AsNoTracking().Where(n => n.DepartmentId == d.Id).ToDictionaryAsync(n => n.Line, ct);
        var lines = (await GeneratedAsync(d.Id, notes, ct)).ToList();
        var entries = await db.Set<InventoryEntry>().AsNoTracking().Where(e => e.DepartmentId == d.Id).OrderBy(e => e.Name).ToListAsync(ct);
        lines.AddRange(entries.Select(e => new InventoryLine(
            EntryPrefix + e.Id, InventorySource.Outside, e.Name, null, e.Location, e.OwnerName, e.Grade, e.LegalBasis, e.Purpose, e.Retention, null, null, null, e.CreatedAt, e.Id)));
        var review = await db.Set<InventoryReview>().AsNoTracking().Where(r => r.DepartmentId == d.Id).OrderByDescending(r => r.Period).FirstOrDefaultAsync(ct);
        var period = Period(caller);
        var mayEdit = MayEdit(caller, d.Id);
        IReadOnlyList<InventoryOwner> owners = mayEdit
            ? await db.DepartmentMemberships.Where(m => m.DepartmentId == d.Id)
                .Join(db.Users, m => m.PersonId, p => p.Id, (m, p) => new { p.UserName, p.DisplayName, p.EmploymentStatus })
                .Where(p => p.EmploymentStatus == EmploymentStatus.Active).OrderBy(p => p.DisplayName)
                .Select(p => new InventoryOwner(p.UserName ?? "", p.DisplayName)).ToListAsync(ct)
            : [];
        var generated = lines.Where(l => l.Source is InventorySource.Import or InventorySource.Manual).ToList();
        return new InventoryView(
            d.Id, d.Code, d.Name, period, lines, generated.Sum(l => l.Customers ?? 0), generated.Aggregate(LevelCounts.None, (sum, l) => sum.Plus(l.Values ?? LevelCounts.None)),
            review?.ReviewedBy, review?.ReviewedAt, review?.Period, review?.Period == period, mayEdit, IsHeadOf(caller, d.Id) && review?.Period != period, owners);
    }

    /// <summary>
    /// The lines generated from live data, counted in the database grouped by import, grade and field (no entity
    /// loaded, no value read): each import, customers entered by hand, attachments, paper copies out.
    /// </summary>
    private async Task<IReadOnlyList<InventoryLine>> GeneratedAsync(Guid department, IReadOnlyDictionary<string, InventoryNote> notes, CancellationToken ct)
    {
        var customers = db.Customers.AsNoTracking().Where(c => c.DepartmentId == department);
        var held = await customers.GroupBy(c => new { c.CollectionId, c.Grade }).Select(g => new { g.Key.CollectionId, g.Key.Grade, Count = g.LongCount() }).ToListAsync(ct);
        var values = await db.CustomerValues.AsNoTracking().Join(customers, v => v.CustomerId, c => c.Id, (v, c) => new { c.CollectionId, v.Field })
            .GroupBy(x => new { x.CollectionId, x.Field }).Select(g => new { g.Key.CollectionId, g.Key.Field, Count = g.LongCount() }).ToListAsync(ct);
        var imported = held.Where(h => h.CollectionId is not null).Select(h => h.CollectionId!.Value).Distinct().ToList();
        var records = await collections.OfDepartmentAsync(department, imported, ct);
        var ownerIds = records.Select(r => r.OwnerId).Distinct().ToList();
        var ownerNames = await db.Users.AsNoTracking().Where(p => ownerIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.DisplayName, ct);

        LevelCounts Levels(IEnumerable<(string Field, long Count)> counts)
        {
            long general = 0, sensitive = 0, core = 0;
            foreach (var (field, count) in counts)
            {
                switch (catalogue.Find(field)?.Level)
                {
                    case Sensitivity.Core: core += count; break;
                    case Sensitivity.Sensitive: sensitive += count; break;
                    default: general += count; break;
                }
            }

            return new LevelCounts(general, sensitive, core);
        }

        string? Location(string key) => notes.GetValueOrDefault(key)?.Location;
        string? Retention(string key) => notes.GetValueOrDefault(key)?.Retention;
        Clearance? Highest(IEnumerable<Clearance> grades) => grades.Select(g => (Clearance?)g).DefaultIfEmpty(null).Max();

        var lines = new List<InventoryLine>();
        foreach (var r in records)
        {
            var key = ImportPrefix + r.Id;
            var mine = held.Where(h => h.CollectionId == r.Id).ToList();
            lines.Add(new InventoryLine(
                key, InventorySource.Import, r.Source, r.FileName, Location(key), ownerNames.GetValueOrDefault(r.OwnerId), Highest(mine.Select(h => h.Grade)), r.LegalBasis, r.Purpose, Retention(key),
                mine.Sum(h => h.Count), r.Rows, Levels(values.Where(v => v.CollectionId == r.Id).Select(v => (v.Field, v.Count))), r.ImportedAt, null));
        }

        var byHand = held.Where(h => h.CollectionId is null).ToList();
        lines.Add(new InventoryLine(
            ManualLine, InventorySource.Manual, null, null, Location(ManualLine), null, Highest(byHand.Select(h => h.Grade)), null, null, Retention(ManualLine),
            byHand.Sum(h => h.Count), null, Levels(values.Where(v => v.CollectionId is null).Select(v => (v.Field, v.Count))), null, null));

        var files = await db.CustomerAttachments.AsNoTracking().Join(customers, a => a.CustomerId, c => c.Id, (a, c) => new { a.CustomerId, c.Grade })
            .GroupBy(x => x.Grade).Select(g => new { Grade = g.Key, Files = g.LongCount(), Customers = g.Select(x => x.CustomerId).Distinct().LongCount() }).ToListAsync(ct);
        lines.Add(new InventoryLine(
            AttachmentsLine, InventorySource.Attachments, null, null, Location(AttachmentsLine), null, Highest(files.Select(f => f.Grade)), null, null, Retention(AttachmentsLine),
            files.Sum(f => f.Customers), files.Sum(f => f.Files), null, null, null));

        // Paper out: prints and lent archives not yet back, with the department's customers in them; the values a print
        // holds are its fields for each of those customers.
        var paper = db.Copies.AsNoTracking().Where(c => c.Status == CopyStatus.Issued && (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan));
        var inPaper = db.CopyItems.AsNoTracking().Where(i => paper.Any(p => p.Id == i.CopyId)).Join(customers, i => i.CustomerId, c => c.Id, (i, c) => new { i.CopyId, i.CustomerId, c.Grade });
        var perCopy = await inPaper.GroupBy(x => new { x.CopyId, x.Grade }).Select(g => new { g.Key.CopyId, g.Key.Grade, Count = g.LongCount() }).ToListAsync(ct);
        var copyIds = perCopy.Select(p => p.CopyId).Distinct().ToList();
        var copyFields = await db.Copies.AsNoTracking().Where(c => copyIds.Contains(c.Id)).Select(c => new { c.Id, c.Fields }).ToDictionaryAsync(c => c.Id, c => c.Fields, ct);
        var paperCustomers = copyIds.Count == 0 ? 0 : await inPaper.Select(x => x.CustomerId).Distinct().LongCountAsync(ct);
        var paperValues = Levels(perCopy.SelectMany(p => (copyFields.GetValueOrDefault(p.CopyId) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => (f, p.Count))));
        lines.Add(new InventoryLine(
            PaperLine, InventorySource.Paper, null, null, Location(PaperLine), null, Highest(perCopy.Select(p => p.Grade)), null, null, Retention(PaperLine),
            paperCustomers, copyIds.Count, paperValues, null, null));
        return lines;
    }
}
