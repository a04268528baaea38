using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Destruction;

/// <param name="Witness">The supervising witness's user name, when no approved request names one.</param>
[Contract]
public sealed record DestroyOrder(string? Witness = null, string? Note = null);

[Contract]
public sealed record DestructionView(
    Guid Id, Guid CustomerId, string Department, string Method, string Operator, string Witness, Guid? RequestId,
    int Fields, int Attachments, int OpenPrints, DateTimeOffset DestroyedAt, string? Note);

/// <summary>
/// Destroys a customer that is no longer needed (DST-1, DST-2, EXP-3): allowed by the policy, normally through a
/// destruction request approved by the department head and witnessed by the compliance officer. The customer's
/// values, indexes, history, tags, attachments and wrapped data key are deleted, then the key's share in the key-share
/// store (crypto-shredding: backups taken before hold only the other half, so the customer is unreadable there too); what
/// remains is the destruction record and the audit entry, written in the same transaction.
/// </summary>
[Contract]
public sealed partial class DestructionService(CustosDbContext db, Callers callers, CustomerAccess access, Keys.ShareDeletions shareDeletions, IAuditTrail audit, TimeProvider time)
{
    public const string CryptoShred = "crypto-shred";

    public async Task<DestructionView> DestroyAsync(Guid id, DestroyOrder order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var (viewer, customer, decision) = await access.LoadForAsync(id, PolicyAction.Destroy, AuditActions.CustomerDestroy, "MayNotDestroy", ct);

        // The witness: whoever approved the request's last step (not the operator), or the person named.
        Guid? requestId = null;
        People.Person? witness = null;
        if (decision.Grant is { } grant)
        {
            requestId = await db.AccessGrants.Where(g => g.Id == grant).Select(g => g.RequestId).SingleAsync(ct);
            var approver = await db.AccessApprovals.AsNoTracking()
                .Where(a => a.RequestId == requestId && a.Approved && a.ApproverId != viewer.PersonId)
                .OrderByDescending(a => a.Step).ThenByDescending(a => a.At).Select(a => a.ApproverId).FirstOrDefaultAsync(ct);
            witness = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == approver, ct);
        }
        else if (!string.IsNullOrWhiteSpace(order.Witness))
        {
            var userName = order.Witness.Trim();
            witness = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == userName, ct);
        }

        if (await Retention.ProcessingBasis.IsHeldAsync(db, customer.Id, ct))
        {
            await audit.RecordNowAsync(AuditActions.CustomerDestroy, "customer", customer.Id.ToString(), AuditOutcome.Denied, new { reason = "legal-hold" }, ct);
            throw CustosException.Conflict("CustomerOnLegalHold");
        }

        if (witness is null || witness.Id == viewer.PersonId || witness.EmploymentStatus != People.EmploymentStatus.Active)
        {
            throw CustosException.Invalid("WitnessRequired");
        }

        var note = TextInput.CleanOptional(order.Note, "note", multiline: true) is { Length: > 0 } n ? (n.Length <= 500 ? n : throw CustosException.Invalid("TooLong", 500)) : null;
        var attachments = await db.CustomerAttachments.CountAsync(a => a.CustomerId == customer.Id, ct);
        var openPrints = await db.Copies.CountAsync(c => (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan) && c.Status == CopyStatus.Issued
            && db.CopyItems.Any(i => i.CopyId == c.Id && i.CustomerId == customer.Id), ct);
        var now = time.GetUtcNow();
        var record = new DestructionRecord
        {
            Id = Guid.CreateVersion7(now),
            CustomerId = customer.Id,
            DepartmentId = customer.DepartmentId,
            Method = CryptoShred,
            OperatorId = viewer.PersonId,
            OperatorName = viewer.Name,
            WitnessId = witness.Id,
            WitnessName = witness.DisplayName,
            RequestId = requestId,
            Note = note,
            Fields = customer.Values.Count,
            Attachments = attachments,
            OpenPrints = openPrints,
            DestroyedAt = now,
        };

        // Values and indexes are loaded and go with the customer; history, tags and attachments by the database's cascade.
        db.Customers.Remove(customer);
        db.Destructions.Add(record);
        audit.Record(AuditActions.CustomerDestroy, "customer", customer.Id.ToString(), detail: new
        {
            method = CryptoShred, fields = record.Fields, attachments, openPrints, witness = witness.Id, request = requestId, grant = decision.Grant,
        });
        await db.SaveChangesAsync(ct);

        // The share goes last, once this is committed: the data key is then gone in every backup of the database too (ADR 0018).
        shareDeletions.AfterCommit(db, [customer.Id]);

        return await ViewAsync(record, ct);
    }

    /// <summary>
    /// The destruction record of a customer, if it was destroyed: for a subject's deletion request (PIPL art. 47), which is
    /// answered only once the customer is gone. The caller is responsible for having checked who may know it.
    /// </summary>
    public async Task<DestructionView?> RecordOfAsync(Guid customer, CancellationToken ct)
    {
        var record = await db.Destructions.AsNoTracking().SingleOrDefaultAsync(d => d.CustomerId == customer, ct);
        return record is null ? null : await ViewAsync(record, ct);
    }

    /// <summary>Of <paramref name="customers"/>, those this database destroyed (for the key service's sweep of their shares).</summary>
    public async Task<IReadOnlySet<Guid>> DestroyedAmongAsync(IReadOnlyCollection<Guid> customers, CancellationToken ct) =>
        (await db.Destructions.AsNoTracking().Where(d => customers.Contains(d.CustomerId)).Select(d => d.CustomerId).ToListAsync(ct)).ToHashSet();

    /// <summary>The destruction register (《客户信息借阅、销毁记录表》): for those who audit, and for each operator their own.</summary>
    public async Task<IReadOnlyList<DestructionView>> ListAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var all = viewer.Decide(PolicyAction.Audit).Allowed;
        var items = await db.Destructions.AsNoTracking().Where(d => all || d.OperatorId == viewer.PersonId || d.WitnessId == viewer.PersonId)
            .OrderByDescending(d => d.DestroyedAt).Take(500).ToListAsync(ct);
        audit.Record(AuditActions.DestructionList, "destruction", null, detail: new { count = items.Count, everyone = all });
        await db.SaveChangesAsync(ct);
        var departments = await db.Departments.AsNoTracking().ToDictionaryAsync(d => d.Id, d => d.Code, ct);
        return [.. items.Select(d => View(d, departments.GetValueOrDefault(d.DepartmentId, "")))];
    }

    private async Task<DestructionView> ViewAsync(DestructionRecord record, CancellationToken ct) =>
        View(record, await db.Departments.Where(d => d.Id == record.DepartmentId).Select(d => d.Code).SingleOrDefaultAsync(ct) ?? "");

    private static DestructionView View(DestructionRecord d, string department) => new(
        d.Id, d.CustomerId, department, d.Method, d.OperatorName, d.WitnessName, d.RequestId, d.Fields, d.Attachments, d.OpenPrints, d.DestroyedAt, d.Note);
}
