using Custos.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Inventory;

/// <summary>
/// A data set a department holds outside Custos (CLS-5), entered by the department: call recordings in the telephony
/// system, paper contracts in an archive cabinet. A description, never customer information.
/// </summary>
public sealed class InventoryEntry
{
    public const int MaxName = 200;
    public const int MaxLocation = 200;
    public const int MaxLegalBasis = 200;
    public const int MaxPurpose = 500;
    public const int MaxRetention = 200;

    public Guid Id { get; set; }

    public Guid DepartmentId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Where it is: a system, a room, a cabinet.</summary>
    public string Location { get; set; } = "";

    /// <summary>The person of the department who answers for it.</summary>
    public Guid OwnerId { get; set; }

    public string OwnerName { get; set; } = "";

    /// <summary>The secrecy grade of what it holds (CLS-2).</summary>
    public Clearance Grade { get; set; }

    public string LegalBasis { get; set; } = "";

    public string Purpose { get; set; } = "";

    /// <summary>How long it is kept, as the department says it (e.g. "5 years after the contract ends").</summary>
    public string Retention { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

/// <summary>The department's note on a line generated from live data: where it is kept and for how long.</summary>
public sealed class InventoryNote
{
    public const int MaxLine = 60;

    public Guid DepartmentId { get; set; }

    /// <summary>The generated line: <c>import:{id}</c>, <c>manual</c>, <c>attachments</c> or <c>paper</c>.</summary>
    public string Line { get; set; } = "";

    public string? Location { get; set; }

    public string? Retention { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

/// <summary>The head's confirmation that the department's inventory was reviewed for a month (company time, yyyy-MM).</summary>
public sealed class InventoryReview
{
    public Guid Id { get; set; }

    public Guid DepartmentId { get; set; }

    public string Period { get; set; } = "";

    public Guid ReviewedById { get; set; }

    public string ReviewedBy { get; set; } = "";

    public DateTimeOffset ReviewedAt { get; set; }
}

/// <summary>How <see cref="InventoryEntry"/> is stored.</summary>
internal sealed class InventoryEntryMapping : IEntityTypeConfiguration<InventoryEntry>
{
    public void Configure(EntityTypeBuilder<InventoryEntry> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(x => x.Name).HasMaxLength(InventoryEntry.MaxName);
        e.Property(x => x.Location).HasMaxLength(InventoryEntry.MaxLocation);
        e.Property(x => x.OwnerName).HasMaxLength(256);
        e.Property(x => x.Grade).HasConversion<string>().HasMaxLength(20);
        e.Property(x => x.LegalBasis).HasMaxLength(InventoryEntry.MaxLegalBasis);
        e.Property(x => x.Purpose).HasMaxLength(InventoryEntry.MaxPurpose);
        e.Property(x => x.Retention).HasMaxLength(InventoryEntry.MaxRetention);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.HasIndex(x => x.DepartmentId);
    }
}

/// <summary>How <see cref="InventoryNote"/> is stored: one per department and line.</summary>
internal sealed class InventoryNoteMapping : IEntityTypeConfiguration<InventoryNote>
{
    public void Configure(EntityTypeBuilder<InventoryNote> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(x => new { x.DepartmentId, x.Line });
        e.Property(x => x.Line).HasMaxLength(InventoryNote.MaxLine);
        e.Property(x => x.Location).HasMaxLength(InventoryEntry.MaxLocation);
        e.Property(x => x.Retention).HasMaxLength(InventoryEntry.MaxRetention);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
    }
}

/// <summary>How <see cref="InventoryReview"/> is stored: one per department and month.</summary>
internal sealed class InventoryReviewMapping : IEntityTypeConfiguration<InventoryReview>
{
    public void Configure(EntityTypeBuilder<InventoryReview> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(x => x.Period).HasMaxLength(7);
        e.Property(x => x.ReviewedBy).HasMaxLength(256);
        e.HasIndex(x => new { x.DepartmentId, x.Period }).IsUnique();
    }
}
