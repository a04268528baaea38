using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Custos.Features.Provisioning;

/// <summary>
/// Authenticates <c>Authorization: Bearer scim_…</c> for the SCIM endpoints only (their policy names this scheme;
/// no other endpoint does, so the token reaches nothing else). The client is read on every request: a revoked token
/// stops at once on every node. A refused token is recorded, never its value.
/// </summary>
internal sealed class ScimTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, CustosDbContext db, IAuditTrail audit, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ScimToken";

    public const string Prefix = "scim_";

    /// <summary>The claim that names the client; the actor id is <c>scim:</c> and the client's id.</summary>
    public const string ClientClaim = "custos:scim-client";

    public const string ActorPrefix = "scim:";

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = header["Bearer ".Length..].Trim();
        var hash = secret.StartsWith(Prefix, StringComparison.Ordinal) && secret.Length < 200 ? Hash(secret) : null;
        var client = hash is null ? null : await db.Set<ScimClient>().SingleOrDefaultAsync(c => c.SecretHash == hash && c.RevokedAt == null, Context.RequestAborted);
        if (client is null)
        {
            await audit.RecordNowAsync(AuditActions.ScimRefused, "scim", null, AuditOutcome.Denied, new { reason = "token", path = Request.Path.Value }, Context.RequestAborted);
            return AuthenticateResult.Fail("Unknown or revoked SCIM token.");
        }

        var now = time.GetUtcNow();
        if (client.LastUsedAt is not { } used || now - used > TimeSpan.FromMinutes(1))
        {
            client.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, ActorPrefix + client.Id),
                new Claim(ClaimTypes.Name, "SCIM " + client.Name),
                new Claim(ClientClaim, client.Id.ToString()),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>A refusal in the RFC 7644 error format.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"custos-scim\"";
        await ScimErrors.WriteAsync(Response, 401, null, "A SCIM bearer token is required.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await ScimErrors.WriteAsync(Response, 403, null, "This token does not reach SCIM.");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
