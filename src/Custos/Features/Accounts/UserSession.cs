using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Custos.Features;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Accounts;

/// <summary>
/// One signed-in session, kept on the server (ACC-7): the cookie carries a random session id whose hash is
/// stored here, and a session is believed only while its row is open. Signing out closes it, so a copied cookie
/// stops working at once on every node; a password change, disablement or change of roles closes them all.
/// </summary>
public sealed class UserSession
{
    /// <summary>SHA-256 of the session id in the cookie (hex); the id itself is stored nowhere.</summary>
    public string Id { get; set; } = "";

    public Guid PersonId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? ClientAddress { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary><c>sign-out</c>, <c>sign-out-all</c>, <c>refreshed</c>, <c>password</c>, <c>disabled</c>, <c>rights</c>.</summary>
    public string? EndReason { get; set; }
}

/// <summary>Opening, checking and closing server-side sessions.</summary>
[Contract]
public static class Sessions
{
    /// <summary>Opens a session for the person and returns the id to put in the cookie.</summary>
    public static async Task<string> OpenAsync(CustosDbContext db, Guid person, string? clientAddress, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        db.UserSessions.Add(new UserSession { Id = Hash(id), PersonId = person, CreatedAt = now, ClientAddress = clientAddress });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>
    /// Whether the principal's session is open (and belongs to the principal's person), the person's security stamp
    /// is still the one the cookie was issued with (a password or authenticator change, a disablement, a role taken
    /// away — every save that removes a role gives a new stamp, <see cref="Security.RightsStamps.RestampRoleLossesAsync"/>),
    /// and the person has not left: a session does not outlive its person's last working day (<paramref name="today"/>,
    /// in the organisation's time). One indexed round trip (ACC-7).
    /// </summary>
    public static async Task<bool> IsOpenAsync(CustosDbContext db, ClaimsPrincipal principal, Microsoft.AspNetCore.Identity.ClaimsIdentityOptions claims, DateOnly today, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(claims);
        if (principal.FindFirstValue(CustosClaims.SessionId) is not { } id
            || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var person)
            || principal.FindFirstValue(claims.SecurityStampClaimType) is not { Length: > 0 } stamp)
        {
            return false;
        }

        var hash = Hash(id);
        return await db.UserSessions
            .Where(s => s.Id == hash && s.PersonId == person && s.EndedAt == null)
            .Join(db.Users, s => s.PersonId, p => p.Id, (s, p) => p)
            .AnyAsync(p => p.SecurityStamp == stamp && p.EmploymentStatus == People.EmploymentStatus.Active && (p.DepartsOn == null || p.DepartsOn >= today), ct);
    }

    /// <summary>Closes the principal's own session.</summary>
    public static Task<int> EndAsync(CustosDbContext db, ClaimsPrincipal principal, string reason, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.FindFirstValue(CustosClaims.SessionId) is not { } id)
        {
            return Task.FromResult(0);
        }

        var hash = Hash(id);
        return db.UserSessions.Where(s => s.Id == hash && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), ct);
    }

    /// <summary>Closes every open session of a person.</summary>
    public static Task<int> EndAllAsync(CustosDbContext db, Guid person, string reason, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.UserSessions.Where(s => s.PersonId == person && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndReason, reason), ct);
    }

    private static string Hash(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}

/// <summary>How <see cref="UserSession"/> is stored.</summary>
internal sealed class UserSessionMapping : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.ClientAddress).HasMaxLength(64);
        e.Property(x => x.EndReason).HasMaxLength(16);
        e.HasIndex(x => new { x.PersonId, x.EndedAt });
    }
}
