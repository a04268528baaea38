using Custos.Features.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Imports;

/// <summary>
/// How a set of customer information was collected (SEC-3) and who keeps it (CLS-5, EXP-3): one record per
/// import, with source, purpose, legal basis, consent reference and the owner who answers for it.
/// </summary>
public sealed class CollectionRecord
{
    public Guid Id { get; set; }

    public string Source { get; set; } = "";

    public string Purpose { get; set; } = "";

    public string LegalBasis { get; set; } = "";

    public string? ConsentReference { get; set; }

    public Guid OwnerId { get; set; }

    public Guid DepartmentId { get; set; }

    public string FileName { get; set; } = "";

    /// <summary>SHA-256 of the imported file, to recognise the same file later; not its content.</summary>
    public string FileSha256 { get; set; } = "";

    public long Rows { get; set; }

    public DateTimeOffset ImportedAt { get; set; }
}

/// <summary>How <see cref="CollectionRecord"/> is stored.</summary>
internal sealed class CollectionRecordMapping : IEntityTypeConfiguration<CollectionRecord>
{
    public void Configure(EntityTypeBuilder<CollectionRecord> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Source).HasMaxLength(200);
        e.Property(c => c.Purpose).HasMaxLength(500);
        e.Property(c => c.LegalBasis).HasMaxLength(200);
        e.Property(c => c.ConsentReference).HasMaxLength(200);
        e.Property(c => c.FileName).HasMaxLength(260);
        e.Property(c => c.FileSha256).HasMaxLength(64);
        e.HasIndex(c => c.DepartmentId);
        e.HasMany<Customer>().WithOne().HasForeignKey(c => c.CollectionId).OnDelete(DeleteBehavior.Restrict);
    }
}
