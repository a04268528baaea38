using System.Security.Cryptography;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Crypto;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Copies;

/// <summary>Exports and external shares (EXP-1, EXP-2): sealed files with a canary row, recorded before they leave.</summary>
[Contract]
public sealed partial class CopyService
{
    /// <summary>
    /// An export (EXP-1) or, with <see cref="ExportOrder.Share"/>, a share outside the company under a valid NDA:
    /// every customer must be allowed, or nothing leaves. One canary row, a synthetic customer unique to this copy,
    /// is planted among the rows, so a leaked file names the copy it came from.
    /// </summary>
    public Task<CopyFile> ExportAsync(ExportOrder order, CancellationToken ct) => ExportAsync(order, null, ct);

    /// <summary>
    /// A copy of one customer's information for the customer themself (PIPL art. 45, a subject request): an export
    /// like any other — allowed by the policy (an approved export request), sealed with a passphrase, recorded in the
    /// ledger and the audit log before it leaves — of every field, addressed to the data subject and without a canary
    /// row: a synthetic person's details have no place in someone's own copy. <paramref name="reference"/> (the
    /// request's number) is kept with the copy; it must name no protected value.
    /// </summary>
    public Task<CopyFile> ExportForSubjectAsync(Guid customer, string passphrase, string reference, ExportFormat format, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var order = new ExportOrder("other", passphrase ?? "", text["Export.SubjectNote", reference], Customers: [customer], Fields: [.. access.Catalogue.Fields.Select(f => f.Name)], Format: format);
        return ExportAsync(order, reference, ct);
    }

    private async Task<CopyFile> ExportAsync(ExportOrder order, string? subjectReference, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var forSubject = subjectReference is not null;
        var share = order.Share is not null;
        var action = share ? PolicyAction.ShareExternal : PolicyAction.Export;
        var name = share ? AuditActions.CustomerShare : AuditActions.CustomerExport;
        var viewer = await callers.CurrentAsync(ct);
        var note = callers.CheckPurpose(order.Purpose, order.Note);
        if (string.IsNullOrEmpty(order.Passphrase) || order.Passphrase.Length < settings.Copies.MinPassphraseLength)
        {
            throw CustosException.Invalid("PassphraseTooShort", settings.Copies.MinPassphraseLength);
        }

        var now = time.GetUtcNow();
        string recipient;
        Partners.PartnerNda? nda = null;
        if (order.Share is { } terms)
        {
            // Only to a partner in the register whose agreement is in force today. Recorded with its reason: a share
            // refused for want of the partner's agreement is worth an investigator's look.
            nda = await partners.InForceAsync(terms.Partner, ct) ?? await RefuseShareAsync<Partners.PartnerNda>(
                await partners.ExistsAsync(terms.Partner, ct) ? "nda-not-in-force" : "partner-unknown", "ShareNdaInvalid", ct);
            recipient = nda.Name;
        }
        else
        {
            recipient = forSubject ? text["Export.DataSubject"] : viewer.Name;
        }

        var fields = order.Fields is { Count: > 0 } wanted ? wanted.Distinct(StringComparer.Ordinal).ToList() : [FieldCatalogue.Name, FieldCatalogue.Mobile];
        if (fields.FirstOrDefault(f => access.Catalogue.Find(f) is null) is { } unknown)
        {
            throw CustosException.Invalid("UnknownField", unknown);
        }

        var (target, departmentId) = await TargetAsync(order, viewer, action, name, ct);
        var (heads, grant) = await AllowedAsync(target, departmentId is null, viewer, action, name, ct);
        if (!forSubject)
        {
            // The customers' record of processing (SEC-3): not after consent is withdrawn, only for purposes they allowed.
            // A customer's own copy (PIPL art. 45) is their right whatever they withdrew.
            await RequireBasisAsync([.. heads.Select(h => h.Id)], name, order.Purpose, ct);
        }

        if (nda is not null && grant is { } approved
            && await db.AccessGrants.Where(g => g.Id == approved).Select(g => g.PartnerId).SingleOrDefaultAsync(ct) != nda.Partner)
        {
            // Approved for one partner, taken to another: nothing leaves, and the attempt is recorded.
            await audit.RecordNowAsync(AuditActions.CustomerShare, "copy", null, AuditOutcome.Denied, new { reason = "partner-not-approved", partner = nda.Partner, grant = approved }, ct);
            throw new CustosException(CustosError.Forbidden, "SharePartnerNotApproved");
        }

        var header = new List<string> { text["Export.Id"], text["Label.Grade"] };
        header.AddRange(fields.Select(f => Labelled(access.Catalogue.Find(f)!)));
        var (rows, revealed) = await RowsAsync(heads, viewer, fields, ct);
        var serial = Serial(share ? 'S' : 'E', now);
        byte[]? canaryHash = null;
        Guid? canaryId = null;
        if (!forSubject)
        {
            (var canaryRow, canaryHash, canaryId) = await CanaryAsync(fields, revealed, now, ct);
            canaryRow[1] = rows[RandomNumberGenerator.GetInt32(rows.Count)][1]; // a grade the real rows have
            rows.Insert(RandomNumberGenerator.GetInt32(rows.Count + 1), canaryRow);
        }

        var extension = ExportPackage.Extension(order.Format);
        var package = ExportPackage.Seal(header, rows, order.Format, order.Passphrase, $"custos-{serial}.{extension}", now);
        var record = Ledger(share ? CopyKind.Share : CopyKind.Export, serial, viewer, recipient, order.Purpose, note, now, SHA256.HashData(package), grant,
            [.. fields.Select(f => (access.Catalogue.Find(f)!, "", revealed.Contains(f)))]);
        record.Customers = heads.Count;
        record.DepartmentId = departmentId;
        record.CanaryHash = canaryHash;
        record.CanaryId = canaryId;
        if (nda is not null)
        {
            record.PartnerId = nda.Partner;
            record.NdaReference = nda.Reference;
            record.NdaValidUntil = nda.EndsOn;
        }

        db.Copies.Add(record);
        db.CopyItems.AddRange(heads.Select(h => new CopyItem { CopyId = record.Id, CustomerId = h.Id }));
        audit.Record(name, "copy", record.Id.ToString(), detail: new
        {
            serial, customers = heads.Count, department = order.Department?.Trim().ToUpperInvariant(), fields, revealed = revealed.Order(StringComparer.Ordinal),
            format = extension, grant, sha256 = Convert.ToHexStringLower(record.Sha256), nda = record.NdaReference, partner = record.PartnerId, subjectRequest = subjectReference,
        }, purpose: order.Purpose);
        await db.SaveChangesAsync(ct);
        return new CopyFile(package, "application/pgp-encrypted", $"custos-{serial}.{extension}.gpg", serial);
    }

    /// <summary>Which customers: one department, or a list; an unknown or unseen one is "not found"; too many is refused.</summary>
    private async Task<(IQueryable<Customer> Target, Guid? Department)> TargetAsync(ExportOrder order, Caller viewer, PolicyAction action, string name, CancellationToken ct)
    {
        IQueryable<Customer> target;
        Guid? departmentId = null;
        if (order.Customers is { Count: > 0 } ids)
        {
            var distinct = ids.Distinct().ToList();
            target = db.Customers.Where(c => distinct.Contains(c.Id));
            if (distinct.Count > settings.Copies.MaxExportRows)
            {
                throw CustosException.Invalid("ExportTooLarge", settings.Copies.MaxExportRows);
            }

            var found = await target.CountAsync(ct);
            if (found != distinct.Count)
            {
                await audit.RecordNowAsync(name, "customer", null, AuditOutcome.Denied, new { reason = "not-found", asked = distinct.Count, found }, ct);
                throw CustosException.NotFound("CustomerNotFound");
            }
        }
        else if (!string.IsNullOrWhiteSpace(order.Department))
        {
            var code = order.Department.Trim().ToUpperInvariant();
            departmentId = await db.Departments.Where(d => d.Code == code).Select(d => (Guid?)d.Id).SingleOrDefaultAsync(ct) ?? throw CustosException.Invalid("UnknownDepartment", code);
            var general = viewer.DecideIn(action, departmentId.Value, null);
            if (!general.Allowed && general.Reason is not (DecisionReason.ApprovalRequired or DecisionReason.OutOfScope))
            {
                await callers.RequireAsync(general, name, null, "MayNotExport", ct);
            }

            var department = departmentId.Value;
            target = db.Customers.Where(c => c.DepartmentId == department);
            var count = await target.CountAsync(ct);
            if (count > settings.Copies.MaxExportRows)
            {
                throw CustosException.Invalid("ExportTooLarge", settings.Copies.MaxExportRows);
            }
        }
        else
        {
            throw CustosException.Invalid("ExportTarget");
        }


        return (target, departmentId);
    }

    /// <summary>Every customer must be allowed before anything is decrypted: one refusal (recorded) and nothing leaves.</summary>
    private async Task<(List<Customer> Heads, Guid? Grant)> AllowedAsync(IQueryable<Customer> target, bool byId, Caller viewer, PolicyAction action, string name, CancellationToken ct)
    {
        var heads = await target.AsNoTracking().Select(c => new Customer { Id = c.Id, DepartmentId = c.DepartmentId, ProjectId = c.ProjectId, Grade = c.Grade, ViewOnly = c.ViewOnly }).ToListAsync(ct);
        if (heads.Count == 0)
        {
            throw CustosException.Invalid("ExportEmpty");
        }

        Guid? grant = null;
        foreach (var head in heads)
        {
            // A customer named by id that the caller may not see at all does not exist for them (404).
            if (byId && !viewer.Decide(PolicyAction.ViewMasked, head).Allowed)
            {
                await audit.RecordNowAsync(name, "customer", head.Id.ToString(), AuditOutcome.Denied, new { reason = "out-of-scope" }, ct);
                throw CustosException.NotFound("CustomerNotFound");
            }

            var decision = viewer.Decide(action, head);
            if (!decision.Allowed)
            {
                await callers.RequireAsync(decision, name, head.Id, "MayNotExport", ct);
            }

            grant ??= decision.Grant;
        }

        return (heads, grant);
    }

    /// <summary>No copy of a customer whose consent — the basis of keeping them — is withdrawn (SEC-3): refused and recorded.</summary>
    private async Task RequireBasisAsync(IReadOnlyCollection<Guid> customers, string action, string purpose, CancellationToken ct)
    {
        var (withdrawn, notAllowed) = await Retention.ProcessingBasis.RefusedAsync(db, customers, purpose, ct);
        if (withdrawn.Count + notAllowed.Count > 0)
        {
            var first = withdrawn.Count > 0 ? withdrawn[0] : notAllowed[0];
            await audit.RecordNowAsync(action, "customer", first.ToString(), AuditOutcome.Denied,
                new { reason = withdrawn.Count > 0 ? "consent-withdrawn" : "purpose-not-allowed", customers = withdrawn.Count + notAllowed.Count }, ct, purpose);
            throw withdrawn.Count > 0
                ? new CustosException(CustosError.Forbidden, "ConsentWithdrawn")
                : new CustosException(CustosError.Forbidden, "PurposeNotAllowedForCustomer", new TextKey("Purpose." + purpose));
        }
    }

    /// <summary>The table: id, grade and the chosen fields of each customer, in clear where the person may reveal them.</summary>
    private async Task<(List<string[]> Rows, HashSet<string> Revealed)> RowsAsync(List<Customer> heads, Caller viewer, List<string> fields, CancellationToken ct)
    {
        var rows = new List<string[]>(heads.Count + 1);
        var revealed = new HashSet<string>(StringComparer.Ordinal);
        var sorted = heads.Select(h => h.Id).Order().ToList();
        for (var start = 0; start < sorted.Count; start += Batch)
        {
            var batch = sorted.Skip(start).Take(Batch).ToList();
            var loaded = await db.Customers.AsNoTracking().Include(c => c.Values).Where(c => batch.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
            foreach (var customer in loaded)
            {
                using (var cipher = access.OpenCipher(customer))
                {
                    var values = access.Readable(viewer, customer, cipher, fields);
                    var row = new string[fields.Count + 2];
                    row[0] = customer.Id.ToString();
                    row[1] = text["Clearance." + customer.Grade];
                    foreach (var (definition, value, clear) in values)
                    {
                        row[fields.IndexOf(definition.Name) + 2] = value;
                        if (clear && value.Length > 0)
                        {
                            revealed.Add(definition.Name);
                        }
                    }

                    rows.Add(row);
                }
            }
        }

        return (rows, revealed);
    }

    /// <summary>
    /// A synthetic customer that exists only in this copy: its row id, and its mobile number as a keyed hash, are
    /// recorded, so either one found outside names the copy.
    /// </summary>
    private async Task<(string[] Row, byte[] Hash, Guid Id)> CanaryAsync(List<string> fields, HashSet<string> revealed, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
#pragma warning disable RS0030 // the seed comes from the CSPRNG; the generator only shapes plausible values
            var fake = new Demo.SyntheticCustomers(RandomNumberGenerator.GetInt32(int.MaxValue)).Next();
#pragma warning restore RS0030
            var hash = keys.BlindIndex.Compute(IndexedKind.Phone, fake.Mobile);
            if (attempt < 5 && (await db.CustomerIndexes.AnyAsync(i => i.Kind == IndexedKind.Phone && i.Hash == hash, ct) || await db.Copies.AnyAsync(c => c.CanaryHash == hash, ct)))
            {
                continue; // a real customer's number, or another copy's canary: draw again
            }

            var id = Guid.CreateVersion7(now);
            var row = new string[fields.Count + 2];
            row[0] = id.ToString();
            row[1] = ""; // the grade of a real row, set by the caller
            for (var i = 0; i < fields.Count; i++)
            {
                var value = fields[i] switch
                {
                    FieldCatalogue.Name => fake.Name,
                    FieldCatalogue.Mobile => fake.Mobile,
                    FieldCatalogue.IdNumber => fake.IdNumber,
                    _ => "",
                };
                // Shaped like the real rows: masked where they are.
                row[i + 2] = revealed.Contains(fields[i]) || value.Length == 0 ? value : access.Catalogue.Find(fields[i])!.Mask.Apply(value);
            }

            return (row, hash, id);
        }
    }

    private async Task<T> RefuseShareAsync<T>(string reason, string code, CancellationToken ct)
    {
        await audit.RecordNowAsync(AuditActions.CustomerShare, "copy", null, AuditOutcome.Denied, new { reason }, ct);
        throw CustosException.Invalid(code);
    }
}
