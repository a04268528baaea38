using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.AspNetCore.Mvc;
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

    private static readonly string[] Allowed =
        [Page, "/api/v1/agreements/mine", "/api/v1/agreements/sign", "/account/logout", "/account/mfa", "/culture", "/_framework", "/css", "/img", "/js",
         "/error", "/healthz", "/openapi", "/metrics", "/favicon.ico"];

    public async Task InvokeAsync(HttpContext context, Callers callers, ICurrentActor actor, TimeProvider time, IProblemDetailsService problems, IStringLocalizer<Strings> text)
    {
        if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(actor.Id, out _)
            && !Allowed.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            var caller = await callers.CurrentAsync(context.RequestAborted);
            if (caller.Engine.Document.Preconditions.RequireNda && !caller.Engine.NdaCurrent(caller.Subject, time.GetUtcNow()))
            {
                if (ApiProblems.IsApi(context))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await problems.WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails = new ProblemDetails
                        {
                            Status = 403,
                            Title = text["Error.AgreementRequired"],
                            Extensions = { ["code"] = "AgreementRequired" },
                        },
                    });
                    return;
                }

                context.Response.Redirect(Page);
                return;
            }
        }

        await next(context);
    }
}
