using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Accounts;

/// <summary>
/// A person whose role needs two-factor authentication and who has not enrolled may reach the enrolment
/// page, sign out and switch language, and nothing else (ACC-7).
/// </summary>
internal sealed class MfaGate(RequestDelegate next)
{
    private static readonly string[] Allowed =
        ["/account/mfa", "/account/logout", "/culture", "/_framework", "/css", "/img", "/js", "/error", "/healthz", "/openapi"];

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems, IStringLocalizer<Strings> text)
    {
        if (context.User.HasClaim(c => c.Type == CustosClaims.MfaEnrolmentRequired)
            && !Allowed.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            if (ApiProblems.IsApi(context))
            {
                await ApiProblems.WriteForbiddenAsync(context, problems, text["Error.MfaEnrolmentRequired"], "MfaEnrolmentRequired");
                return;
            }

            context.Response.Redirect("/account/mfa");
            return;
        }

        await next(context);
    }
}
