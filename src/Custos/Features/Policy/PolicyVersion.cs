using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Policy;

/// <summary>One loaded policy file, kept whole: the newest is in force, the others are its history.</summary>
public sealed class PolicyVersion
{
    /// <summary>The <c>version</c> of the file; each load must raise it.</summary>
    public int Version { get; set; }

    public string Text { get; set; } = "";

    /// <summary>SHA-256 of the text, hexadecimal, as recorded in the audit log.</summary>
    public string Sha256 { get; set; } = "";

    public string LoadedBy { get; set; } = "";

    public DateTimeOffset LoadedAt { get; set; }

    public string? Note { get; set; }
}

/// <summary>How <see cref="PolicyVersion"/> is stored.</summary>
internal sealed class PolicyVersionMapping : IEntityTypeConfiguration<PolicyVersion>
{
    public void Configure(EntityTypeBuilder<PolicyVersion> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(v => v.Version);
        e.Property(v => v.Version).ValueGeneratedNever();
        e.Property(v => v.Text).HasMaxLength(Kernel.Policy.PolicyFile.MaxBytes);
        e.Property(v => v.Sha256).HasMaxLength(64);
        e.Property(v => v.LoadedBy).HasMaxLength(256);
        e.Property(v => v.Note).HasMaxLength(500);
    }
}
