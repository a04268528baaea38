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

    /// <summary>Who imported the list (the owner may be someone else of the department); null for imports before it was kept.</summary>
    public Guid? ImportedById { get; set; }

    /// <summary>
    /// The third party the list was received from (EXP-3: a developer's customer list), or null for the company's own
    /// collection. Such a list has exactly one owner, its customers are view-only for everyone, and once its rows are
    /// entered and verified the received file and paper are destroyed under supervision.
    /// </summary>
    public string? ThirdParty { get; set; }

    /// <summary>When the entered rows were verified against the received list, and by whom.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    public Guid? VerifiedById { get; set; }

    public string? VerifiedByName { get; set; }

    /// <summary>The owner (the importer) confirmed every row verified, rather than a second person checking.</summary>
    public bool VerifiedByOwner { get; set; }

    /// <summary>When the received file and list were destroyed, how, by whom, watched by whom.</summary>
    public DateTimeOffset? ReceivedDestroyedAt { get; set; }

    public ReceivedDestroyMethod? ReceivedDestroyMethod { get; set; }

    public Guid? ReceivedDestroyOperatorId { get; set; }

    public string? ReceivedDestroyOperatorName { get; set; }

    public Guid? ReceivedDestroyWitnessId { get; set; }

    public string? ReceivedDestroyWitnessName { get; set; }

    /// <summary>When the owner was last reminded to destroy the received list.</summary>
    public DateTimeOffset? DestroyRemindedAt { get; set; }
}

/// <summary>How a received list was destroyed (EXP-3).</summary>
public enum ReceivedDestroyMethod
{
    /// <summary>Paper shredded.</summary>
    ShreddedPaper = 0,

    /// <summary>The electronic file deleted (from every mailbox, disk and share it was on).</summary>
    DeletedElectronicFile = 1,

    /// <summary>Both: the paper shredded and the file deleted.</summary>
    Both = 2,
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
        e.Property(c => c.ThirdParty).HasMaxLength(200);
        e.Property(c => c.VerifiedByName).HasMaxLength(200);
        e.Property(c => c.ReceivedDestroyMethod).HasConversion<string>().HasMaxLength(24);
        e.Property(c => c.ReceivedDestroyOperatorName).HasMaxLength(200);
        e.Property(c => c.ReceivedDestroyWitnessName).HasMaxLength(200);
        e.HasIndex(c => c.OwnerId);
        e.HasIndex(c => c.DepartmentId);
        e.HasMany<Customer>().WithOne().HasForeignKey(c => c.CollectionId).OnDelete(DeleteBehavior.Restrict);
    }
}
