using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Secrets;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.ApiTokens;

public sealed record ApiTokenView(
    Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Active, string Person = "");

/// <summary>
/// Tokens for scripts and integrations (ACC-7). Each person creates their own, from a signed-in session (never
/// from another token), with scopes among the roles they hold now; a token acts as its person with at most those
/// roles and dies with them (see <see cref="ApiTokenAuthenticationHandler"/>). Administrators see and revoke all.
/// </summary>
[Contract]
public sealed class ApiTokenService(CustosDbContext db, IAuditTrail audit, ICurrentActor actor, CustosSettings settings, TimeProvider time)
{
    /// <summary>The caller's own tokens, or with <paramref name="everyone"/> every token (administrators only).</summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken ct, bool everyone = false)
    {
        var me = Me();
        if (everyone && !await AdministersAsync(me, ct))
        {
            throw new CustosException(CustosError.Forbidden, "MayNotSeeTokens");
        }

        var now = time.GetUtcNow();
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => everyone || t.PersonId == me).OrderByDescending(t => t.CreatedAt).Take(1000).ToListAsync(ct);
        var owners = tokens.Select(t => t.PersonId).Distinct().ToList();
        var names = await db.Users.Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return [.. tokens.Select(t => new ApiTokenView(
            t.Id, t.Name, t.ScopeList, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt, t.IsActiveAt(now), names.GetValueOrDefault(t.PersonId, "?")))];
    }

    /// <summary>Creates a token for the caller and returns its secret, which is shown this once and never stored.</summary>
    public async Task<(ApiToken Token, string Secret)> CreateAsync(string name, IReadOnlyList<string> scopes, int days, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var creator = Me();
        if (actor.ViaToken)
        {
            // A stolen token must not mint more.
            throw new CustosException(CustosError.Forbidden, "TokenCannotCreateTokens");
        }

        name = TextInput.Clean(name, "name");
        if (name.Length is 0 or > 100)
        {
            throw CustosException.Invalid("InvalidName");
        }

        if (scopes.Count == 0 || scopes.Any(string.IsNullOrWhiteSpace))
        {
            throw CustosException.Invalid("TokenNeedsScope");
        }

        var unknown = scopes.FirstOrDefault(s => !Roles.TokenScopes.Contains(s, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw CustosException.Invalid("UnknownRole", unknown);
        }

        var held = await RolesOfAsync(creator, ct);
        if (actor.FromCommandLine && !held.Contains(Roles.ItAdministrator, StringComparer.Ordinal))
        {
            // The command line names its actor without their credentials: it makes tokens for IT administrators (for
            // monitoring and administration) only; everyone else makes their own, signed in, on the tokens page.
            throw new CustosException(CustosError.Forbidden, "TokenFromCommandLine");
        }

        var beyond = scopes.FirstOrDefault(s => !Allowed(s, held));
        if (beyond is not null)
        {
            // Scopes only narrow: nobody gives a token a role they do not hold themselves.
            await audit.RecordNowAsync(AuditActions.TokenCreate, "token", null, AuditOutcome.Denied, new { reason = "scope", scope = beyond }, ct);
            throw new CustosException(CustosError.Forbidden, "TokenScopeNotHeld", new TextKey("Role." + beyond));
        }

        if (days < 1 || days > settings.Security.MaxApiTokenDays)
        {
            throw CustosException.Invalid("TokenLifetime", settings.Security.MaxApiTokenDays);
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
            PersonId = creator,
            ExpiresAt = now.AddDays(days),
        };
        db.ApiTokens.Add(token);
        audit.Record(AuditActions.TokenCreate, "token", token.Id.ToString(), detail: new { after = new { name, scopes = token.ScopeList, expires = token.ExpiresAt } });
        await db.SaveChangesAsync(ct);
        return (token, secret);
    }

    /// <summary>Ends every live token of a person who leaves (PPL-3), in the caller's transaction and save; returns their ids for the caller's audit entry.</summary>
    public async Task<IReadOnlyList<Guid>> RevokeAllOfAsync(Guid person, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var tokens = await db.ApiTokens.Where(t => t.PersonId == person && t.RevokedAt == null && t.ExpiresAt > now).ToListAsync(ct);
        foreach (var token in tokens)
        {
            token.RevokedAt = now;
        }

        return [.. tokens.Select(t => t.Id)];
    }

    /// <summary>Ends a token now: one's own, or anyone's for an administrator.</summary>
    public async Task RevokeAsync(Guid id, CancellationToken ct)
    {
        var me = Me();
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, ct);
        if (token is null || (token.PersonId != me && !await AdministersAsync(me, ct)))
        {
            throw CustosException.NotFound("TokenNotFound");
        }

        if (token.RevokedAt is not null)
        {
            return;
        }

        token.RevokedAt = time.GetUtcNow();
        token.RevokedById = me;
        audit.Record(AuditActions.TokenRevoke, "token", token.Id.ToString(), detail: new { person = token.PersonId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>What a scope gives a person who holds <paramref name="held"/>: a role they hold, or the metrics reader for an IT administrator.</summary>
    public static bool Allowed(string scope, IReadOnlyCollection<string> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        return scope == Roles.MetricsReader ? held.Contains(Roles.ItAdministrator) : held.Contains(scope);
    }

    private Guid Me() => Guid.TryParse(actor.Id, out var id) ? id : throw new CustosException(CustosError.Forbidden, "TokenNeedsPerson");

    private Task<List<string>> RolesOfAsync(Guid person, CancellationToken ct) =>
        (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person select r.Name!).ToListAsync(ct);

    private async Task<bool> AdministersAsync(Guid person, CancellationToken ct)
    {
        var held = await RolesOfAsync(person, ct);
        return held.Contains(Roles.ItAdministrator) && (actor.RoleLimit is null || actor.RoleLimit.Contains(Roles.ItAdministrator));
    }
}
