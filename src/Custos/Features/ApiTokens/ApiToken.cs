namespace Custos.Features.ApiTokens;

/// <summary>A bearer token for an integration (ACC-7). Only the SHA-256 of the secret is kept.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string SecretHash { get; set; } = "";

    /// <summary>Space-separated role names the token acts with.</summary>
    public string Scopes { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public Guid CreatedById { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Guid? RevokedById { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}
