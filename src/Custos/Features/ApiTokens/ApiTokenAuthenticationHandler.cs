using System.Security.Claims;
using System.Text.Encodings.Web;
using Custos.Data;
using Custos.Features.Accounts;
using Custos.Kernel.Secrets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Custos.Features.ApiTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer cst_…</c>. The token is looked up by the hash of its secret on
/// every request, so a revoked or expired token stops working at once on every node.
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
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.SecretHash == hash, Context.RequestAborted);
        var now = time.GetUtcNow();
        if (token is null || !token.IsActiveAt(now))
        {
            return AuthenticateResult.Fail("Unknown, expired or revoked API token.");
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, "token:" + token.Id.ToString("N")));
        identity.AddClaim(new Claim(ClaimTypes.Name, token.Name));
        identity.AddClaim(new Claim(CustosClaims.DisplayName, token.Name));
        identity.AddClaim(new Claim(CustosClaims.TokenId, token.Id.ToString()));
        foreach (var scope in token.ScopeList)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, scope));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}
