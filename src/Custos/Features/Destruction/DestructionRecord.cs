using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Destruction;

/// <summary>
/// What remains of a destroyed customer (DST-1, DST-2): when, how, by whom, watched by whom, under which
/// approved request. The customer's values, indexes, history, tags, attachments and wrapped data key are
/// gone; this record names no protected value.
/// </summary>
public sealed class DestructionRecord
{
    public Guid Id { get; set; }

    public Guid CustomerId { get; set; }

    public Guid DepartmentId { get; set; }

    /// <summary>How: <c>crypto-shred</c> (the data key and every ciphertext deleted).</summary>
    public string Method { get; set; } = "";

    public Guid OperatorId { get; set; }

    public string OperatorName { get; set; } = "";

    /// <summary>The supervising witness 监销: the approver of the request's last step, or the person named.</summary>
    public Guid WitnessId { get; set; }

    public string WitnessName { get; set; } = "";

    public Guid? RequestId { get; set; }

    public string? Note { get; set; }

    public int Fields { get; set; }

    public int Attachments { get; set; }

    /// <summary>Paper still out when the record was destroyed (prints, the lent archive); it must be brought back and shredded.</summary>
    public int OpenPrints { get; set; }

    public DateTimeOffset DestroyedAt { get; set; }
}

/// <summary>How <see cref="DestructionRecord"/> is stored.</summary>
internal sealed class DestructionRecordMapping : IEntityTypeConfiguration<DestructionRecord>
{
    public void Configure(EntityTypeBuilder<DestructionRecord> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(d => d.Method).HasMaxLength(32);
        e.Property(d => d.OperatorName).HasMaxLength(256);
        e.Property(d => d.WitnessName).HasMaxLength(256);
        e.Property(d => d.Note).HasMaxLength(500);
        e.HasIndex(d => d.CustomerId).IsUnique();
        e.HasIndex(d => d.DestroyedAt);
    }
}
