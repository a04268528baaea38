using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Provisioning;

/// <summary>
/// An HR system or identity provider allowed to provision people over SCIM 2.0: a name and the SHA-256 of its
/// bearer token (the token itself is shown once). The token reaches <c>/scim/v2</c> and nothing else.
/// </summary>
internal sealed class ScimClient
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string SecretHash { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedByName { get; set; } = "";

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class ScimClientMapping : IEntityTypeConfiguration<ScimClient>
{
    public void Configure(EntityTypeBuilder<ScimClient> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Name).HasMaxLength(100);
        e.Property(c => c.SecretHash).HasMaxLength(64);
        e.Property(c => c.CreatedByName).HasMaxLength(256);
        e.HasIndex(c => c.SecretHash).IsUnique();
        e.HasIndex(c => c.Name).IsUnique();
    }
}

/// <summary>A person a SCIM client provisioned: the only people SCIM clients see and change.</summary>
internal sealed class ScimPerson
{
    public Guid PersonId { get; set; }

    public Guid ClientId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class ScimPersonMapping : IEntityTypeConfiguration<ScimPerson>
{
    public void Configure(EntityTypeBuilder<ScimPerson> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(p => p.PersonId);
        e.HasOne<People.Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}
