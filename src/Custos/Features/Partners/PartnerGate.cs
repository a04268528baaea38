using System.Security.Claims;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Partners;

/// <summary>
/// A partner's user acts only while their partner's confidentiality agreement is in force (PPL-4): on every request
/// of someone acting as <c>partner</c>, one indexed query; otherwise they reach sign-out, language and a page that
/// says why, and the refusal is recorded. Sign-in is refused the same way (<see cref="PartnerSignIn"/>).
/// </summary>
internal sealed class PartnerGate(RequestDelegate next)
{
    public const string Page = "/partner-agreement";

    /// <summary>Its own page, and the pages the gates before it send people to (two-factor enrolment, the personal agreement), so that no two gates send a person back and forth.</summary>
    private static readonly string[] Allowed =
        [Page, "/account", "/api/v1/me", "/agreement", "/api/v1/agreements/mine", "/api/v1/agreements/sign", "/culture", "/_framework", "/css", "/img", "/js", "/error", "/healthz", "/favicon.ico"];

    public async Task InvokeAsync(HttpContext context, Callers callers, PartnerService partners, ICurrentActor actor, IAuditTrail audit, TimeProvider time,
        IProblemDetailsService problems, IStringLocalizer<Strings> text)
    {
        if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(actor.Id, out var person)
            && !Allowed.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            // Judged by the roles the person holds, not those a token lets them act with: a token scoped to another
            // role of a partner's user is theirs too.
            var caller = await callers.CurrentAsync(context.RequestAborted);
            if ((caller.Subject.HeldRoles ?? caller.Subject.Roles).Contains(Roles.Partner)
                && !await partners.PartnerUserMayActAsync(person, caller.Engine.Today(time.GetUtcNow()), context.RequestAborted))
            {
                await audit.RecordNowAsync(AuditActions.AccessDenied, "path", null, AuditOutcome.Denied,
                    new { reason = "partner-agreement-missing", path = context.Request.Path.Value }, context.RequestAborted);
                if (ApiProblems.IsApi(context))
                {
                    await ApiProblems.WriteForbiddenAsync(context, problems, text["Error.PartnerAgreementRequired"], "PartnerAgreementRequired");
                    return;
                }

                context.Response.Redirect(Page);
                return;
            }
        }

        await next(context);
    }
}

/// <summary>Whether a person may sign in as far as the partner register is concerned: someone with the <c>partner</c> role only while their partner's agreement is in force (PPL-4).</summary>
[Contract]
public sealed class PartnerSignIn(PartnerService partners, PolicyStore policy, Data.CustosDbContext db, TimeProvider time)
{
    public async Task<bool> MaySignInAsync(Person person, IList<string> roles, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(roles);
        if (!roles.Contains(Roles.Partner))
        {
            return true;
        }

        var engine = await policy.CurrentAsync(db, ct);
        return await partners.PartnerUserMayActAsync(person.Id, engine.Today(time.GetUtcNow()), ct);
    }
}
