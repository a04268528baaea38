using Custos.Data;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Imports;

/// <summary>One import's collection record as another room may read it (CLS-5): no file name hash, no consent reference.</summary>
[Contract]
public sealed record CollectionSummary(
    Guid Id, Guid DepartmentId, string Source, string Purpose, string LegalBasis, Guid OwnerId, string FileName, long Rows, DateTimeOffset ImportedAt);

/// <summary>
/// The collection records of a department, for the department's customer-information inventory (CLS-5), which lists
/// every import as a data set. A contract so that the inventory does not read the imports' table itself.
/// </summary>
[Contract]
public sealed class CollectionRecords(CustosDbContext db)
{
    /// <summary>The records of imports into <paramref name="department"/>, and those named in <paramref name="also"/> (imports whose customers are now there), oldest first.</summary>
    public async Task<IReadOnlyList<CollectionSummary>> OfDepartmentAsync(Guid department, IReadOnlyCollection<Guid> also, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(also);
        var ids = also.ToList();
        return await db.Set<CollectionRecord>().AsNoTracking()
            .Where(c => c.DepartmentId == department || ids.Contains(c.Id))
            .OrderBy(c => c.ImportedAt)
            .Select(c => new CollectionSummary(c.Id, c.DepartmentId, c.Source, c.Purpose, c.LegalBasis, c.OwnerId, c.FileName, c.Rows, c.ImportedAt))
            .ToListAsync(ct);
    }
}
