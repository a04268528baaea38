using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Secrets;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.ApiTokens;

public sealed record ApiTokenView(
    Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Active);

/// <summary>Integration tokens (ACC-7): created by an administrator, scoped to roles, expiring, revocable.</summary>
public sealed class ApiTokenService(CustosDbContext db, IAuditTrail audit, ICurrentActor actor, CustosSettings settings, TimeProvider time)
{
    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(ct);
        return [.. tokens.OrderByDescending(t => t.CreatedAt).Select(t => new ApiTokenView(
            t.Id, t.Name, t.ScopeList, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.IsActiveAt(now)))];
    }

    /// <summary>Creates a token and returns its secret, which is shown this once and never stored.</summary>
    public async Task<(ApiToken Token, string Secret)> CreateAsync(string name, IReadOnlyList<string> scopes, int days, CancellationToken ct)
    {
        name = (name ?? "").Trim();
        if (name.Length is 0 or > 100)
        {
            throw CustosException.Invalid("InvalidName");
        }

        if (scopes.Count == 0)
        {
            throw CustosException.Invalid("TokenNeedsScope");
        }

        var unknown = scopes.FirstOrDefault(s => !Roles.TokenScopes.Contains(s, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw CustosException.Invalid("UnknownRole", unknown);
        }

        if (days < 1 || days > settings.Security.MaxApiTokenDays)
        {
            throw CustosException.Invalid("TokenLifetime", settings.Security.MaxApiTokenDays);
        }

        if (!Guid.TryParse(actor.Id, out var creator))
        {
            throw CustosException.Invalid("TokenNeedsPerson");
        }

        var secret = ApiTokenSecret.Generate();
        var now = time.GetUtcNow();
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now),
            Name = name,
            SecretHash = ApiTokenSecret.Hash(secret),
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            CreatedAt = now,
            CreatedById = creator,
            ExpiresAt = now.AddDays(days),
        };
        db.ApiTokens.Add(token);
        audit.Record("token.create", "token", token.Id.ToString(), detail: new { after = new { name, scopes = token.ScopeList, expires = token.ExpiresAt } });
        await db.SaveChangesAsync(ct);
        return (token, secret);
    }

    public async Task RevokeAsync(Guid id, CancellationToken ct)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw CustosException.NotFound("TokenNotFound");
        if (token.RevokedAt is not null)
        {
            return;
        }

        token.RevokedAt = time.GetUtcNow();
        token.RevokedById = Guid.TryParse(actor.Id, out var by) ? by : null;
        audit.Record("token.revoke", "token", token.Id.ToString());
        await db.SaveChangesAsync(ct);
    }
}
