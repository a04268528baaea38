using Custos.Data;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Provisioning;

/// <summary>A SCIM client as its administrators see it (never its token).</summary>
internal sealed record ScimClientView(Guid Id, string Name, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, int People);

/// <summary>The SCIM clients: made (the token shown once), listed and revoked by IT administrators, from the page or the command line; each step recorded.</summary>
internal sealed class ScimClients(CustosDbContext db, ICurrentActor actor, IAuditTrail audit, TimeProvider time)
{
    public async Task<IReadOnlyList<ScimClientView>> ListAsync(CancellationToken ct)
    {
        var counts = await db.Set<ScimPerson>().GroupBy(p => p.ClientId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return [.. (await db.Set<ScimClient>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct))
            .Select(c => new ScimClientView(c.Id, c.Name, c.CreatedAt, c.CreatedByName, c.LastUsedAt, c.RevokedAt, counts.GetValueOrDefault(c.Id)))];
    }

    /// <summary>Makes a client and returns its token, which is never stored or shown again.</summary>
    public async Task<string> CreateAsync(string? name, CancellationToken ct)
    {
        var client = TextInput.CleanOptional(name, "name") ?? "";
        if (client.Length is 0 or > 100)
        {
            throw CustosException.Invalid("FieldTooLong", "name", 100);
        }

        if (await db.Set<ScimClient>().AnyAsync(c => c.Name == client, ct))
        {
            throw CustosException.Conflict("ScimClientExists", client);
        }

        var secret = ScimTokenHandler.NewSecret();
        var now = time.GetUtcNow();
        var entity = new ScimClient { Id = Guid.CreateVersion7(now), Name = client, SecretHash = ScimTokenHandler.Hash(secret), CreatedAt = now, CreatedByName = actor.Name };
        db.Set<ScimClient>().Add(entity);
        audit.Record(AuditActions.ScimClientCreate, "scim", entity.Id.ToString(), detail: new { name = client });
        await db.SaveChangesAsync(ct);
        return secret;
    }

    /// <summary>Ends a client's token at once, on every node (each request reads the client).</summary>
    public async Task<string> RevokeAsync(string? name, CancellationToken ct)
    {
        var entity = await db.Set<ScimClient>().SingleOrDefaultAsync(c => c.Name == name && c.RevokedAt == null, ct) ?? throw CustosException.NotFound("ScimClientNotFound");
        entity.RevokedAt = time.GetUtcNow();
        audit.Record(AuditActions.ScimClientRevoke, "scim", entity.Id.ToString(), detail: new { name = entity.Name });
        await db.SaveChangesAsync(ct);
        return entity.Name;
    }
}
