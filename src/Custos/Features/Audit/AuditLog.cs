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
