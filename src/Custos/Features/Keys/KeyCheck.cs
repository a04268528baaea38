using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Keys;

/// <summary>
/// Proof, kept in the database, of which key file belongs to it: a data key wrapped by the key file, and a
/// blind index of a fixed probe. At start-up both must verify, or Custos refuses to start.
/// </summary>
public sealed class KeyCheck
{
    public int Id { get; set; }

    public int KekVersion { get; set; }

    public byte[] Wrapped { get; set; } = [];

    public byte[] IndexProbe { get; set; } = [];

    /// <summary>The key of the installation's own secrets (authenticator keys, the web's data-protection keys), wrapped like a data key.</summary>
    public int? SecretsKekVersion { get; set; }

    public byte[]? SecretsWrapped { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>How <see cref="KeyCheck"/> is stored.</summary>
internal sealed class KeyCheckMapping : IEntityTypeConfiguration<KeyCheck>
{
    public void Configure(EntityTypeBuilder<KeyCheck> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(k => k.Id).ValueGeneratedNever();
        e.Property(k => k.Wrapped).HasMaxLength(128);
        e.Property(k => k.SecretsWrapped).HasMaxLength(128);
        e.Property(k => k.IndexProbe).HasMaxLength(16);
    }
}
