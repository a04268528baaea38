using System.Security.Claims;
using System.Text.Encodings.Web;
using Custos.Data;
using Custos.Features.Accounts;
using Custos.Features.People;
using Custos.Kernel.Secrets;
using Custos.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Custos.Features.ApiTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer cst_…</c>. The token and its person are read on every request, so a
/// revoked or expired token, and the token of a person disabled, gone or past their last working day, stops
/// working at once on every node. The token acts as its person with the roles both the token's scopes and the
/// person's current roles name — a role the person lost is gone from their tokens on the next request.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CustosDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>How stale <see cref="ApiToken.LastUsedAt"/> may get before it is written again.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header["Bearer ".Length..].Trim();
        if (!ApiTokenSecret.LooksLikeToken(secret))
        {
            return AuthenticateResult.Fail("Malformed API token.");
        }

        var hash = ApiTokenSecret.Hash(secret);
        var found = await (from t in db.ApiTokens
                           join p in db.Users on t.PersonId equals p.Id
                           where t.SecretHash == hash
                           select new { Token = t, p.UserName, p.DisplayName, p.EmploymentStatus, p.DepartsOn }).SingleOrDefaultAsync(Context.RequestAborted);
        var now = time.GetUtcNow();
        if (found is null || !found.Token.IsActiveAt(now))
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked API token.");
        }

        var engine = await Context.RequestServices.GetRequiredService<PolicyStore>().CurrentAsync(db, Context.RequestAborted);
        if (found.EmploymentStatus != EmploymentStatus.Active || engine.HasLeft(found.DepartsOn, now))
        {
            return AuthenticateResult.Fail("The token's person is no longer active.");
        }

        var token = found.Token;
        var held = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == token.PersonId select r.Name!).ToListAsync(Context.RequestAborted);
        var roles = token.ScopeList.Where(s => ApiTokenService.Allowed(s, held)).ToList();
        if (roles.Count == 0)
        {
            return AuthenticateResult.Fail("The token's person no longer holds any of its roles.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, token.PersonId.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, found.UserName ?? ""));
        identity.AddClaim(new Claim(CustosClaims.DisplayName, found.DisplayName));
        identity.AddClaim(new Claim(CustosClaims.TokenId, token.Id.ToString()));
        foreach (var role in roles)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
