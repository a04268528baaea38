using System.Globalization;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Custos.Features.Accounts;

/// <summary>
/// Session rules (ACC-7): an idle timeout (sliding), an absolute lifetime from sign-in, the security stamp and
/// the server-side session checked on every request in one query, and API callers answered with 401/403 instead of a redirect.
/// </summary>
public static class SessionPolicy
{
    public const string ExpiredMarker = "custos:session-expired";

    /// <summary>Set when the session could not be checked because the database is unreachable.</summary>
    public const string DatabaseDownMarker = "custos:database-down";

    public static void Configure(CookieAuthenticationOptions o, SecuritySettings security)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(security);
        o.Cookie.Name = CustosWebHost.SessionCookie;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromMinutes(security.IdleTimeoutMinutes);
        o.SlidingExpiration = true;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/error/403";
        o.ReturnUrlParameter = "returnUrl";
        o.Events.OnValidatePrincipal = async context =>
        {
            // The session must still be open on the server, with the person's current security stamp: signing out ends
            // it, whatever copies of the cookie exist, and so does a password change, a disablement, a role taken away
            // (a new stamp) or a change of rights (which close every session). One query; the principal is not
            // rebuilt, so no new cookie is sent.
            if (context.Principal is null)
            {
                context.HttpContext.Items[ExpiredMarker] = true;
                return;
            }

            bool open;
            try
            {
                var services = context.HttpContext.RequestServices;
                var db = services.GetRequiredService<Data.CustosDbContext>();
                var claims = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity;
                var today = (await services.GetRequiredService<PolicyStore>().CurrentAsync(db, context.HttpContext.RequestAborted)).Today(services.GetRequiredService<TimeProvider>().GetUtcNow());
                open = await Sessions.IsOpenAsync(db, context.Principal, claims, today, context.HttpContext.RequestAborted);
            }
            catch (Exception e) when (ApiProblems.StatusFor(e) == StatusCodes.Status503ServiceUnavailable)
            {
                // Deny by default: a session that cannot be checked is not trusted.
                context.RejectPrincipal();
                context.HttpContext.Items[DatabaseDownMarker] = e;
                return;
            }

            if (!open)
            {
                context.RejectPrincipal();
                context.HttpContext.Items[ExpiredMarker] = true;
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }

            var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
            var authTime = context.Principal.FindFirst(CustosClaims.AuthTime)?.Value;
            var signedInAt = long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : DateTimeOffset.MinValue;
            if (time.GetUtcNow() - signedInAt > TimeSpan.FromHours(security.AbsoluteLifetimeHours))
            {
                context.RejectPrincipal();
                context.HttpContext.Items[ExpiredMarker] = true;
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            }
        };
        o.Events.OnRedirectToLogin = context =>
        {
            if (ApiProblems.IsApi(context.HttpContext))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            var expired = context.HttpContext.Items.ContainsKey(ExpiredMarker)
                || context.Request.Cookies.ContainsKey(CustosWebHost.SessionCookie);
            context.Response.Redirect(expired ? context.RedirectUri + "&expired=1" : context.RedirectUri);
            return Task.CompletedTask;
        };
        o.Events.OnRedirectToAccessDenied = context =>
        {
            if (ApiProblems.IsApi(context.HttpContext))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        };
    }
}
