using Custos.Data;
using Custos.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Retention;

/// <summary>
/// What the customer's record of processing allows (SEC-3, DST-3), for the rooms that reveal, copy or destroy: a reveal's
/// purpose must be one the customer allows; nothing relying on consent goes on once it is withdrawn; a customer on legal
/// hold is not destroyed. Marked a contract so the customers, copies and destruction rooms ask here.
/// </summary>
[Contract]
public static class ProcessingBasis
{
    /// <summary>
    /// Refuses (403, with the reason) processing the customer's record does not allow: consent withdrawn where it was the
    /// basis, or a reveal for a purpose the customer did not allow. <paramref name="purpose"/> null: a copy, not a reveal.
    /// </summary>
    public static async Task CheckAsync(CustosDbContext db, Guid customer, string? purpose, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var record = await db.Set<CustomerLifecycle>().AsNoTracking().Where(l => l.CustomerId == customer)
            .Select(l => new { l.Basis, l.Consent, l.Purposes }).SingleOrDefaultAsync(ct);
        if (record is null)
        {
            return;
        }

        if (record.Basis == LegalBasis.Consent && record.Consent == ConsentState.Withdrawn)
        {
            throw new CustosException(CustosError.Forbidden, "ConsentWithdrawn");
        }

        if (purpose is not null && record.Purposes.Length > 0 && !record.Purposes.Split(',').Contains(purpose))
        {
            throw new CustosException(CustosError.Forbidden, "PurposeNotAllowedForCustomer", new TextKey("Purpose." + purpose));
        }
    }

    /// <summary>Of <paramref name="customers"/>, those whose consent (their basis) is withdrawn, and those who did not allow <paramref name="purpose"/>: a copy of them is refused.</summary>
    public static async Task<(IReadOnlyList<Guid> Withdrawn, IReadOnlyList<Guid> NotAllowed)> RefusedAsync(CustosDbContext db, IReadOnlyCollection<Guid> customers, string purpose, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var withdrawn = new List<Guid>();
        var notAllowed = new List<Guid>();
        foreach (var chunk in customers.Chunk(2000))
        {
            var records = await db.Set<CustomerLifecycle>().AsNoTracking()
                .Where(l => chunk.Contains(l.CustomerId) && ((l.Basis == LegalBasis.Consent && l.Consent == ConsentState.Withdrawn) || l.Purposes != ""))
                .Select(l => new { l.CustomerId, l.Basis, l.Consent, l.Purposes }).ToListAsync(ct);
            withdrawn.AddRange(records.Where(r => r.Basis == LegalBasis.Consent && r.Consent == ConsentState.Withdrawn).Select(r => r.CustomerId));
            notAllowed.AddRange(records.Where(r => r.Purposes.Length > 0 && !r.Purposes.Split(',').Contains(purpose) && !(r.Basis == LegalBasis.Consent && r.Consent == ConsentState.Withdrawn)).Select(r => r.CustomerId));
        }

        return (withdrawn, notAllowed);
    }

    /// <summary>Whether the customer is on legal hold: then it is not destroyed.</summary>
    public static Task<bool> IsHeldAsync(CustosDbContext db, Guid customer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Set<CustomerLifecycle>().AnyAsync(l => l.CustomerId == customer && l.LegalHold, ct);
    }
}
