using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Audit;

/// <summary>A signed tree head: the log's size and root at a moment, signed with the audit signing key (AUD-1).</summary>
public sealed class AuditCheckpoint
{
    /// <summary>The number of entries the checkpoint covers; also its key (one checkpoint per size).</summary>
    public long Size { get; set; }

    public string Origin { get; set; } = "";

    public byte[] Root { get; set; } = [];

    /// <summary>Signing time, to the second, as it appears in the signed body.</summary>
    public DateTimeOffset At { get; set; }

    public string KeyId { get; set; } = "";

    public byte[] Signature { get; set; } = [];

    public Kernel.Audit.Checkpoint ToCheckpoint() => new(Origin, Size, Root, At);
}

/// <summary>
/// An ECDSA P-256 key that signs checkpoints. The public key is kept in the clear for verifiers; the private
/// scalar only wrapped by the key-encryption key, like a customer's data key.
/// </summary>
[Contract]
public sealed class AuditSigningKey
{
    /// <summary><see cref="Kernel.Audit.Checkpoint.KeyId"/> of the public key.</summary>
    public string Id { get; set; } = "";

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; set; } = [];

    public int KekVersion { get; set; }

    public byte[] WrappedPrivateKey { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The sequencer's working state: how many entries are in the tree and its compact range. Never trusted by verification.</summary>
public sealed class AuditLogState
{
    public int Id { get; set; } = 1;

    public long Size { get; set; }

    public byte[] Peaks { get; set; } = [];
}

/// <summary>How <see cref="AuditCheckpoint"/> is stored.</summary>
internal sealed class AuditCheckpointMapping : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(c => c.Size);
        e.Property(c => c.Size).ValueGeneratedNever();
        e.Property(c => c.Origin).HasMaxLength(200);
        e.Property(c => c.Root).HasMaxLength(32);
        e.Property(c => c.KeyId).HasMaxLength(16);
        e.Property(c => c.Signature).HasMaxLength(80);
    }
}

/// <summary>How <see cref="AuditSigningKey"/> is stored.</summary>
internal sealed class AuditSigningKeyMapping : IEntityTypeConfiguration<AuditSigningKey>
{
    public void Configure(EntityTypeBuilder<AuditSigningKey> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(k => k.Id).HasMaxLength(16);
        e.Property(k => k.PublicKey).HasMaxLength(128);
        e.Property(k => k.WrappedPrivateKey).HasMaxLength(128);
    }
}

/// <summary>How <see cref="AuditLogState"/> is stored.</summary>
internal sealed class AuditLogStateMapping : IEntityTypeConfiguration<AuditLogState>
{
    public void Configure(EntityTypeBuilder<AuditLogState> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(s => s.Id).ValueGeneratedNever();
        e.Property(s => s.Peaks).HasMaxLength(64 * 32);
    }
}
