using System.Security.Claims;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;

namespace Custos.Features.Accounts;

/// <summary>Single sign-on with an OpenID Connect provider (<c>Custos:Sso</c>); off while no authority is set.</summary>
public sealed class SsoSettings
{
    /// <summary>The provider's issuer URL, e.g. https://idp.example.com/realms/staff; empty: sign-on with a password only.</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>What the button on the sign-in page says, e.g. the provider's name.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The claim that identifies the person at the provider (<c>sub</c>, or e.g. <c>oid</c> for Microsoft Entra ID).</summary>
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>Only for a provider on the same machine in tests and trials: metadata over plain HTTP.</summary>
    public bool AllowHttpMetadata { get; set; }

    public bool Enabled => Authority.Length > 0 && ClientId.Length > 0;
}

/// <summary>
/// OpenID Connect sign-in (code flow with PKCE): the provider's subject is mapped to a Custos person an administrator
/// linked to it — never a new account, never a role, never an id another system (a SCIM client) could set. The person then
/// passes the same checks as a password sign-in (status, last working day, partner agreement, lock-out) and the same
/// second factor, and gets the same server-side session. A forged state, a token from another issuer or for another
/// client, and an identity linked to nobody are refused, recorded, and sent back to the sign-in page.
/// </summary>
internal static class SingleSignOn
{
    public const string Scheme = "oidc";

    private const string Provider = ExternalLogins.OpenIdConnect;

    public static void AddTo(IServiceCollection services, SsoSettings sso)
    {
        if (!sso.Enabled)
        {
            return;
        }

        services.AddAuthentication().AddOpenIdConnect(Scheme, sso.DisplayName.Length > 0 ? sso.DisplayName : "SSO", o =>
        {
            o.Authority = sso.Authority;
            o.ClientId = sso.ClientId;
            o.ClientSecret = sso.ClientSecret;
            o.ResponseType = "code";
            o.ResponseMode = "query";
            o.UsePkce = true;
            o.SaveTokens = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = !sso.AllowHttpMetadata;
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.CallbackPath = "/signin-oidc";
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.TokenValidationParameters.NameClaimType = "name";
            // The provider sends the browser back with a plain GET (response_mode=query): Lax cookies come along; Secure whenever the request is HTTPS.
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnRemoteFailure = async context =>
            {
                // A forged or replayed state, an error from the provider, a token that fails validation: recorded, and back to the sign-in page.
                await context.HttpContext.RequestServices.GetRequiredService<IAuditTrail>().RecordNowAsync(
                    AuditActions.SessionSignin, "sso", null, AuditOutcome.Denied, new { reason = "sso-failure", error = context.Failure?.GetType().Name }, context.HttpContext.RequestAborted);
                context.Response.Redirect("/account/login?sso=failed");
                context.HandleResponse();
            };
        });
    }

    public static void Map(IEndpointRouteBuilder endpoints, SsoSettings sso)
    {
        if (!sso.Enabled)
        {
            return;
        }

        endpoints.MapGet("/account/sso", (string? returnUrl) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = "/account/sso/done?returnUrl=" + Uri.EscapeDataString(WebEndpoints.LocalOnly(returnUrl)) }, [Scheme]))
            .AllowAnonymous();

        endpoints.MapGet("/account/sso/done", async (string? returnUrl, HttpContext http, SignInManager<Person> signIn, UserManager<Person> users, IAuditTrail audit) =>
            {
                var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
                await http.SignOutAsync(IdentityConstants.ExternalScheme);
                var subject = external.Principal?.FindFirstValue(sso.SubjectClaim);
                if (!external.Succeeded || string.IsNullOrEmpty(subject))
                {
                    await audit.RecordNowAsync(AuditActions.SessionSignin, "sso", null, AuditOutcome.Denied, new { reason = "sso-no-identity" }, http.RequestAborted);
                    return Results.Redirect("/account/login?sso=failed");
                }

                // Only a link an administrator made: a SCIM client's externalId is never a way in.
                var person = await users.FindByLoginAsync(Provider, subject);
                if (person is null)
                {
                    await audit.RecordNowAsync(AuditActions.SessionSignin, "sso", null, AuditOutcome.Denied, new { reason = "sso-unlinked" }, http.RequestAborted);
                    return Results.Redirect("/account/login?sso=unlinked");
                }

                // The same way in as a password: the person's standing, the lock-out, the second factor, a server-side session.
                var result = await signIn.ExternalLoginSignInAsync(Provider, subject, isPersistent: false, bypassTwoFactor: false);
                var local = WebEndpoints.LocalOnly(returnUrl);
                if (result.Succeeded)
                {
                    await audit.RecordNowAsync(AuditActions.SessionSignin, "person", person.Id.ToString(), AuditOutcome.Success, new { via = "sso" }, http.RequestAborted);
                    return Results.Redirect(local);
                }

                if (result.RequiresTwoFactor)
                {
                    return Results.Redirect("/account/login/2fa?returnUrl=" + Uri.EscapeDataString(local));
                }

                await audit.RecordNowAsync(AuditActions.SessionSignin, "person", person.Id.ToString(), AuditOutcome.Denied,
                    new { via = "sso", reason = result.IsLockedOut ? "locked-out" : "not-allowed" }, http.RequestAborted);
                return Results.Redirect("/account/login?sso=refused");
            })
            .AllowAnonymous();
    }
}
