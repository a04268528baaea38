using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Copies;

/// <summary>What kind of copy left Custos.</summary>
[Contract]
public enum CopyKind
{
    /// <summary>A paper print stamped 受控文件 (PRT-1, PRT-2).</summary>
    Print = 0,

    /// <summary>An encrypted file for use inside the company (EXP-1).</summary>
    Export = 1,

    /// <summary>An encrypted file for a partner outside the company, under a valid NDA (EXP-1, EXP-2).</summary>
    Share = 2,

    /// <summary>The customer's original paper archive, lent out until it is returned (PRT-3, 《客户信息借阅、销毁记录表》).</summary>
    Loan = 3,
}

/// <summary>Where a copy is: out with its holder, back, or destroyed. Only paper can be brought back; a lent archive only back.</summary>
[Contract]
public enum CopyStatus
{
    Issued = 0,
    Returned = 1,
    Destroyed = 2,
}

/// <summary>
/// The ledger of every copy that left Custos (PRT-2, PRT-3, EXP-1): who made it, for whom, for what, of which
/// customers, with the SHA-256 of the file and, for files, the blind index of the canary row planted in it, so
/// a leaked file can be traced back to its copy. Protected values are never stored here.
/// </summary>
[Contract]
public sealed class CopyRecord
{
    public Guid Id { get; set; }

    /// <summary>Printed on the copy and put in the file name: P-, E- or S-, the date, and eight random hex digits.</summary>
    public string Serial { get; set; } = "";

    public CopyKind Kind { get; set; }

    public Guid PersonId { get; set; }

    public string PersonName { get; set; } = "";

    /// <summary>Who holds the copy: the person who signs for a print, or the receiving organisation of a share.</summary>
    public string Recipient { get; set; } = "";

    /// <summary>For a share: the partner from the register it went to.</summary>
    public Guid? PartnerId { get; set; }

    /// <summary>For a share: the partner's confidentiality agreement, and until when it holds (EXP-1).</summary>
    public string? NdaReference { get; set; }

    public DateOnly? NdaValidUntil { get; set; }

    public string Purpose { get; set; } = "";

    public string? Note { get; set; }

    /// <summary>The department exported, when a whole department was.</summary>
    public Guid? DepartmentId { get; set; }

    public int Customers { get; set; }

    /// <summary>Field names in the copy, comma-separated; <c>Revealed</c> those in clear, the rest masked.</summary>
    public string Fields { get; set; } = "";

    public string Revealed { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>For a print: the date after which it must be returned or destroyed.</summary>
    public DateTimeOffset? UseBy { get; set; }

    /// <summary>SHA-256 of the file as it left (the PDF, or the encrypted package).</summary>
    public byte[] Sha256 { get; set; } = [];

    /// <summary>The blind index of the canary row's mobile number (files only).</summary>
    public byte[]? CanaryHash { get; set; }

    /// <summary>The canary row's id (files only).</summary>
    public Guid? CanaryId { get; set; }

    /// <summary>The grant that allowed the copy, when a role alone did not.</summary>
    public Guid? GrantId { get; set; }

    public CopyStatus Status { get; set; }

    /// <summary>When the holder and the compliance officers were told that a print is past its use-by date.</summary>
    public DateTimeOffset? OverdueNotifiedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }

    /// <summary>Who watched a paper copy being destroyed (DST-2).</summary>
    public string? Witness { get; set; }

    public string? ClosingNote { get; set; }
}

/// <summary>One customer in one copy: answers "who has a copy of this customer" after a leak.</summary>
[Contract]
public sealed class CopyItem
{
    public Guid CopyId { get; set; }

    public Guid CustomerId { get; set; }
}

/// <summary>How <see cref="CopyRecord"/> is stored.</summary>
internal sealed class CopyRecordMapping : IEntityTypeConfiguration<CopyRecord>
{
    public void Configure(EntityTypeBuilder<CopyRecord> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Serial).HasMaxLength(32);
        e.HasIndex(c => c.Serial).IsUnique();
        e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.PersonName).HasMaxLength(256);
        e.Property(c => c.Recipient).HasMaxLength(200);
        e.Property(c => c.NdaReference).HasMaxLength(100);
        e.Property(c => c.Purpose).HasMaxLength(64);
        e.Property(c => c.Note).HasMaxLength(500);
        e.Property(c => c.Fields).HasMaxLength(1000);
        e.Property(c => c.Revealed).HasMaxLength(1000);
        e.Property(c => c.Sha256).HasMaxLength(32);
        e.Property(c => c.CanaryHash).HasMaxLength(16);
        e.Property(c => c.ClosedBy).HasMaxLength(256);
        e.Property(c => c.Witness).HasMaxLength(256);
        e.Property(c => c.ClosingNote).HasMaxLength(500);
        e.HasIndex(c => c.PersonId);
        e.HasIndex(c => c.CanaryHash);
        e.HasIndex(c => c.CanaryId);
        e.HasIndex(c => new { c.Status, c.UseBy });
        e.HasMany<Features.Copies.CopyItem>().WithOne().HasForeignKey(i => i.CopyId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>How <see cref="CopyItem"/> is stored: no foreign key to the customer, the ledger outlives a destroyed customer.</summary>
internal sealed class CopyItemMapping : IEntityTypeConfiguration<CopyItem>
{
    public void Configure(EntityTypeBuilder<CopyItem> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(i => new { i.CopyId, i.CustomerId });
        e.HasIndex(i => i.CustomerId);
    }
}
