using Custos.Features.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Web;

/// <summary>Plain form posts of the UI shell: language switch and sign-out. Features map their own (<see cref="Features.Feature.MapWeb"/>).</summary>
internal static class WebEndpoints
{
    public static void MapWebEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/culture", ([FromForm] string culture, [FromForm] string? returnUrl, HttpContext context) =>
            {
                var chosen = CustosWebHost.Cultures.FirstOrDefault(c => c.Name == culture) ?? CustosWebHost.Cultures[0];
                context.Response.Cookies.Append(
                    CustosWebHost.CultureCookie,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                    new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromDays(365), IsEssential = true });
                return TypedResults.LocalRedirect(LocalOnly(returnUrl));
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        foreach (var feature in Features.FeatureList.All)
        {
            feature.MapWeb(endpoints);
        }

        endpoints.MapPost("/account/logout", async Task<IResult> (SignInManager<Person> signIn, IAuditTrail audit, IAntiforgery antiforgery, HttpContext context) =>
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return TypedResults.LocalRedirect("/error/400");
                }

                if (context.User.Identity?.IsAuthenticated == true)
                {
                    await audit.RecordNowAsync(AuditActions.SessionSignout, "person", context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, AuditOutcome.Success, null, context.RequestAborted);
                }

                await signIn.SignOutAsync();
                return TypedResults.LocalRedirect("/account/login");
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
    }

    /// <summary>
    /// Only a path on this site; anything else — an open redirect (<c>//evil</c>, <c>/\\evil</c>), or a path with
    /// control characters (<c>/%09/evil.com</c>, CR/LF) that a browser would read differently — becomes the home page.
    /// </summary>
    public static string LocalOnly(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && !url.Any(c => char.IsControl(c) || c == '\\') && url.Length <= 2000
            ? url
            : "/";
}
