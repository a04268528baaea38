using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.ApiTokens;

/// <summary>
/// A bearer token for a script or an integration (ACC-7), owned by one person: it acts as that person with at most
/// their current roles (its scopes only narrow them) and dies with their disablement, departure or role loss.
/// Only the SHA-256 of the secret is kept.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string SecretHash { get; set; } = "";

    /// <summary>Space-separated role names the token may act with, where its person still holds them (and <c>metrics</c>).</summary>
    public string Scopes { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The person the token acts for, who created it.</summary>
    public Guid PersonId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Guid? RevokedById { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>How <see cref="ApiToken"/> is stored.</summary>
internal sealed class ApiTokenMapping : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(t => t.Name).HasMaxLength(100);
        e.Property(t => t.SecretHash).HasMaxLength(64);
        e.Property(t => t.Scopes).HasMaxLength(400);
        e.HasIndex(t => t.SecretHash).IsUnique();
        e.HasIndex(t => t.PersonId);
        e.Ignore(t => t.ScopeList);
    }
}
