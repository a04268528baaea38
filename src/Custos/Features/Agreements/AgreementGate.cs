using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Agreements;

/// <summary>
/// Before anything else (PPL-1): while the policy requires a confidentiality agreement, a signed-in person whose
/// agreement does not count — never signed, or an older version past its deadline — reaches the page to sign it,
/// the agreement API, sign-out and language, and nothing else. The standing is read with the person's rights
/// (<see cref="Callers"/>), so the check costs no query of its own.
/// </summary>
internal sealed class AgreementGate(RequestDelegate next)
{
    public const string Page = "/agreement";

    /// <summary>The agreement itself, and one's own account (sign out, end other sessions, change the password).</summary>
    private static readonly string[] Allowed =
        [Page, "/api/v1/agreements/mine", "/api/v1/agreements/sign", "/account", "/api/v1/me", "/partner-agreement", "/culture", "/_framework", "/css", "/img", "/js",
         "/error", "/healthz", "/openapi", "/metrics", "/favicon.ico"];

    public async Task InvokeAsync(HttpContext context, Callers callers, ICurrentActor actor, IAuditTrail audit, IProblemDetailsService problems, IStringLocalizer<Strings> text)
    {
        if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(actor.Id, out _)
            && !Allowed.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            var caller = await callers.CurrentAsync(context.RequestAborted);
            if (caller.Engine.Document.Preconditions.RequireNda && !caller.Engine.NdaCurrent(caller.Subject, caller.Context))
            {
                await audit.RecordNowAsync(AuditActions.AccessDenied, "path", null, AuditOutcome.Denied,
                    new { reason = "agreement-required", path = context.Request.Path.Value }, context.RequestAborted);
                if (ApiProblems.IsApi(context))
                {
                    await ApiProblems.WriteForbiddenAsync(context, problems, text["Error.AgreementRequired"], "AgreementRequired");
                    return;
                }

                context.Response.Redirect(Page);
                return;
            }
        }

        await next(context);
    }
}
