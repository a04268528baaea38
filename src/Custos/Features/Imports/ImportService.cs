using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Crypto;
using Custos.Kernel.Masking;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;

namespace Custos.Features.Imports;

/// <param name="EncodingGuessed">The file is neither UTF-8 nor marked: the encoding is a guess, which the person can change.</param>
public sealed record ImportPreview(string Encoding, IReadOnlyList<string> Headers, IReadOnlyList<string?[]> MaskedSamples, IReadOnlyDictionary<int, string> Suggested, bool EncodingGuessed = false)
{
    /// <summary>The first masked value of a column, to show next to its header while choosing the mapping.</summary>
    public string SampleOf(int column) =>
        MaskedSamples.Select(r => column < r.Length ? r[column] : null).FirstOrDefault(v => v is not null) ?? "";
}

/// <summary>One problem, where a person can find it: the row as a spreadsheet counts it (header = 1) and the column header.</summary>
public sealed record ImportError(long Row, string Column, string Field, string Code);

/// <param name="ThirdParty">The third party the list was received from (EXP-3); its customers are then view-only for everyone.</param>
/// <param name="Owner">The user name of the one person who keeps the list (an active member of the department); none: the importer.</param>
/// <param name="Encoding">For CSV: the encoding the person chose (see <see cref="ImportEncodings"/>); null to detect it.</param>
public sealed record ImportOptions(
    IReadOnlyDictionary<int, string> Mapping,
    string? DepartmentCode,
    string? ProjectCode,
    Clearance Grade,
    string Source,
    string Purpose,
    string LegalBasis,
    string? ConsentReference,
    string? Encoding = null,
    string? ThirdParty = null,
    string? Owner = null);

public sealed record ImportOutcome(long Rows, IReadOnlyList<ImportError> Errors, long ErrorCount, Guid? CollectionId)
{
    public bool Imported => CollectionId is not null;
}

/// <summary>
/// Bulk import of customer lists (CLS-5, SEC-3, EXP-3). The whole file is validated first — every error
/// reported with row and column, duplicates of an ID number flagged, within the file and against what is
/// stored — and only a clean file is imported, in one transaction: all rows or none. Rows are streamed and
/// written in batches, so memory stays bounded whatever the file size.
/// </summary>
public sealed class ImportService(
    CustosDbContext db,
    Callers callers, CustomerAccess access,
    KeyRing keys,
    FieldCatalogue catalogue,
    IAuditTrail audit,
    Keys.KeyShareStore shares,
    TimeProvider time)
{
    public const int MaxReportedErrors = 1000;


    /// <summary>
    /// Whether the caller may import at all, decided before a byte of the file is read (an information officer's list is
    /// refused before it is parsed or shown, ACC-2); a refusal is recorded.
    /// </summary>
    public async Task CheckMayImportAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        await callers.RequireAsync(viewer.Decide(PolicyAction.Import), AuditActions.CustomerImport, null, "MayNotImport", ct);
    }

    public static ImportPreview Preview(Func<Stream> open, string fileName, FieldCatalogue catalogue, string? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(catalogue);
        using var source = TabularSource.Open(open(), fileName, encoding, lenient: true); // a wrong encoding shows as such
        if (source.Headers.Count == 0)
        {
            throw CustosException.Invalid("ImportEmpty");
        }

        var samples = new List<string?[]>();
        while (samples.Count < 20 && source.Read(out var row))
        {
            samples.Add(row);
        }

        var suggested = ColumnMapping.Suggest(source.Headers, samples);
        var masked = samples.Take(5).Select(row => row.Select((v, i) => v is null ? null : Mask(catalogue, suggested.GetValueOrDefault(i), v)).ToArray()).ToList();
        return new ImportPreview(source.EncodingName, source.Headers, masked, suggested, source.EncodingGuessed);
    }

    public async Task<ImportOutcome> ImportAsync(Func<Stream> open, string fileName, ImportOptions options, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        var viewer = await callers.CurrentAsync(ct);
        await callers.RequireAsync(viewer.Decide(PolicyAction.Import), AuditActions.CustomerImport, null, "MayNotImport", ct);

        if (string.IsNullOrWhiteSpace(options.Source) || string.IsNullOrWhiteSpace(options.Purpose) || string.IsNullOrWhiteSpace(options.LegalBasis))
        {
            throw CustosException.Invalid("CollectionRecordRequired");
        }

        if (!options.Mapping.Values.Contains(FieldCatalogue.Name))
        {
            throw CustosException.Invalid("ImportNeedsName");
        }

        var department = await access.DepartmentForAsync(viewer, PolicyAction.Import, options.DepartmentCode, ct);
        Guid? projectId = null;
        if (options.ProjectCode is { Length: > 0 } projectCode)
        {
            projectId = (await db.Projects.SingleOrDefaultAsync(p => p.Code == projectCode.Trim().ToUpperInvariant() && p.DepartmentId == department.Id, ct)
                ?? throw CustosException.Invalid("UnknownProject", projectCode)).Id;
        }

        // Into the caller's own departments only (or those a grant opens); others are reported as unknown.
        if (!viewer.DecideIn(PolicyAction.Import, department.Id, projectId).Allowed)
        {
            throw CustosException.Invalid("UnknownDepartment", department.Code);
        }

        var thirdParty = string.IsNullOrWhiteSpace(options.ThirdParty) ? null : options.ThirdParty.Trim();
        if (thirdParty is not null && (thirdParty.Length > 200 || TextInput.FirstForbidden(thirdParty) is not null))
        {
            throw CustosException.Invalid("ReceivedListThirdParty");
        }

        var ownerId = viewer.PersonId;
        if (options.Owner is { Length: > 0 } ownerName && !string.IsNullOrWhiteSpace(ownerName))
        {
            // One owner, a person of the department who answers for the list (CLS-5, EXP-3).
            var wanted = ownerName.Trim().ToUpperInvariant();
            var departmentId = department.Id;
            ownerId = await db.Users.Where(u => u.NormalizedUserName == wanted && u.EmploymentStatus == EmploymentStatus.Active
                    && db.DepartmentMemberships.Any(m => m.PersonId == u.Id && m.DepartmentId == departmentId))
                .Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct) ?? throw CustosException.Invalid("ReceivedListOwner", ownerName.Trim());
        }

        if (options.Mapping.Keys.Any(k => k < 0) || options.Mapping.Values.Any(f => catalogue.Find(f) is null))
        {
            throw CustosException.Invalid("ImportMappingInvalid");
        }

        var (rows, errors, errorCount, sha256) = await ValidateAsync(open, fileName, options, progress, ct);
        if (errorCount > 0 || rows == 0)
        {
            await audit.RecordNowAsync(AuditActions.CustomerImport, "collection", null, AuditOutcome.Failed,
                new { file = Path.GetFileName(fileName), rows, errors = errorCount, empty = rows == 0 }, ct);
            return new ImportOutcome(rows, rows == 0 && errorCount == 0 ? [new ImportError(1, "", "", "ImportEmpty")] : errors, Math.Max(errorCount, rows == 0 ? 1 : 0), null);
        }

        var now = time.GetUtcNow();
        var collection = new CollectionRecord
        {
            Id = Guid.CreateVersion7(now),
            Source = options.Source.Trim(),
            Purpose = options.Purpose.Trim(),
            LegalBasis = options.LegalBasis.Trim(),
            ConsentReference = string.IsNullOrWhiteSpace(options.ConsentReference) ? null : options.ConsentReference.Trim(),
            OwnerId = ownerId,
            ImportedById = viewer.PersonId,
            ThirdParty = thirdParty,
            DepartmentId = department.Id,
            FileName = Path.GetFileName(fileName),
            FileSha256 = sha256,
            Rows = rows,
            ImportedAt = now,
        };

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var largeWrite = await db.LargeWriteAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Collections.Add(collection);
            audit.Record(AuditActions.CustomerImport, "collection", collection.Id.ToString(), detail: new
            {
                file = collection.FileName, rows, department = department.Code, collection.Source, collection.Purpose, collection.LegalBasis,
                thirdParty = collection.ThirdParty, owner = collection.OwnerId,
            });
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();

            var done = await CustomerBulkWriter.WriteAsync(
                db, ReadCustomers(open, fileName, options, department.Id, projectId, collection.Id, thirdParty is not null), n => progress?.Report((n, (int)rows)), ct, shares, time);
            await tx.CommitAsync(ct);
            await PlannerStatistics.RefreshAsync(db, ct);
            progress?.Report((done, (int)rows));
        });

        return new ImportOutcome(rows, [], 0, collection.Id);
    }

    /// <summary>The file's rows as new customers, built (encrypted, indexed) as the sequence is enumerated.</summary>
    private IEnumerable<Customer> ReadCustomers(Func<Stream> open, string fileName, ImportOptions options, Guid departmentId, Guid? projectId, Guid collectionId, bool viewOnly)
    {
        using var source = TabularSource.Open(open(), fileName, options.Encoding);
        while (source.Read(out var cells))
        {
            var customer = access.Build(CustomerKind.Individual, departmentId, projectId, options.Grade, Values(cells, options.Mapping));
            customer.CollectionId = collectionId;
            customer.ViewOnly = viewOnly; // a third party's list is shared view-only (EXP-3)
            yield return customer;
        }
    }

    private async Task<(long Rows, List<ImportError> Errors, long ErrorCount, string Sha256)> ValidateAsync(
        Func<Stream> open, string fileName, ImportOptions options, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        var mapping = options.Mapping;
        var errors = new List<ImportError>();
        long errorCount = 0;
        long rows = 0;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var seen = new Dictionary<UInt128, long>();
        var pending = new List<(UInt128 Hash, long Row, string Column)>();
        string sha256;

        void Add(ImportError error)
        {
            errorCount++;
            if (errors.Count < MaxReportedErrors)
            {
                errors.Add(error);
            }
        }

        await using (var whole = open())
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(whole, ct));
        }

        using (var source = TabularSource.Open(open(), fileName, options.Encoding))
        {
            var headers = source.Headers;
            if (mapping.Keys.Any(k => k >= headers.Count))
            {
                throw CustosException.Invalid("ImportMappingInvalid");
            }

            while (source.Read(out var cells))
            {
                rows++;
                var hasName = false;
                foreach (var (column, field) in mapping)
                {
                    var raw = column < cells.Length ? cells[column] : null;
                    if (string.IsNullOrWhiteSpace(raw))
                    {
                        continue;
                    }

                    // A name that is there but wrong is one error (too long, bad characters), not also "missing".
                    hasName |= field == FieldCatalogue.Name;
                    var definition = catalogue.Find(field)!;
                    if (raw.Length > definition.MaxLength * 4 || TextInput.FirstForbidden(raw, multiline: true) is not null)
                    {
                        // Not even normalised: far too long to be a value of this field, or with control or text-direction characters.
                        Add(new ImportError(source.Row, headers[column], field, raw.Length > definition.MaxLength * 4 ? "TooLong" : "ForbiddenCharacters"));
                        continue;
                    }

                    var value = definition.Normalise(raw);
                    if (definition.Validate(value, today) is { } reason)
                    {
                        Add(new ImportError(source.Row, headers[column], field, reason.ToString()));
                        continue;
                    }

                    if (field == FieldCatalogue.IdNumber)
                    {
                        var hash = ToKey(keys.BlindIndex.Compute(IndexedKind.IdNumber, value));
                        if (seen.TryGetValue(hash, out var firstRow))
                        {
                            Add(new ImportError(source.Row, headers[column], field, "DuplicateInFile:" + firstRow.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        }
                        else
                        {
                            seen[hash] = source.Row;
                            pending.Add((hash, source.Row, headers[column]));
                        }
                    }
                }

                if (!hasName)
                {
                    var nameColumn = mapping.First(m => m.Value == FieldCatalogue.Name).Key;
                    Add(new ImportError(source.Row, headers[nameColumn], FieldCatalogue.Name, "Missing"));
                }

                if (pending.Count >= 1000)
                {
                    await CheckExistingAsync(pending, Add, ct);
                }

                if (rows % 1000 == 0)
                {
                    progress?.Report(((int)rows, 0));
                }
            }

            await CheckExistingAsync(pending, Add, ct);
        }

        return (rows, errors, errorCount, sha256);
    }

    /// <summary>Flags ID numbers that already belong to a stored customer (same blind index).</summary>
    private async Task CheckExistingAsync(List<(UInt128 Hash, long Row, string Column)> pending, Action<ImportError> add, CancellationToken ct)
    {
        if (pending.Count == 0)
        {
            return;
        }

        var hashes = pending.Select(p => FromKey(p.Hash)).ToList();
        var existing = await db.CustomerIndexes.Where(i => i.Kind == IndexedKind.IdNumber && hashes.Contains(i.Hash)).Select(i => i.Hash).ToListAsync(ct);
        var found = existing.Select(ToKey).ToHashSet();
        foreach (var p in pending.Where(p => found.Contains(p.Hash)))
        {
            add(new ImportError(p.Row, p.Column, FieldCatalogue.IdNumber, "DuplicateExisting"));
        }

        pending.Clear();
    }

    private static Dictionary<string, string?> Values(string?[] cells, IReadOnlyDictionary<int, string> mapping) =>
        mapping.ToDictionary(m => m.Value, m => m.Key < cells.Length ? cells[m.Key] : null, StringComparer.Ordinal);

    private static string Mask(FieldCatalogue catalogue, string? field, string value) =>
        field is not null && catalogue.Find(field) is { } definition ? definition.Mask.Apply(value) : Masks.KeepEnds(value, 1, 0);

    private static UInt128 ToKey(byte[] hash) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(hash);

    private static byte[] FromKey(UInt128 key)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        return bytes;
    }
}
