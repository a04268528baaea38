using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Microsoft.AspNetCore.Authorization;

namespace Custos.Security;

/// <summary>
/// Who may audit (AUD-2), defined once: reading what people did is the policy's <c>audit</c> action, decided
/// for the caller like every other action (roles, token scopes, network and hours), whether the audit log is
/// asked for by a page, the API or the command line. Checking the log's integrity — verify, proofs,
/// checkpoints, which show no one's actions — is also open to IT administrators.
/// </summary>
public static class AuditRights
{
    /// <summary>Who may check the log's integrity from the command line.</summary>
    public static readonly IReadOnlyList<string> IntegrityExaminers = [Roles.Auditor, Roles.ComplianceOfficer, Roles.ItAdministrator];

    /// <summary>Whether the caller may read the audit log.</summary>
    public static async Task<bool> MayReadAsync(Callers callers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(callers);
        return Decide(await callers.CurrentAsync(ct)).Allowed;
    }

    /// <summary>The policy's <c>audit</c> for the caller (a policy file cannot give it to a role that administers: <c>AdministratorAudits</c>).</summary>
    public static Decision Decide(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.Decide(PolicyAction.Audit);
    }

    /// <summary>Goes on if the caller may read the audit log; otherwise the refusal is recorded and thrown (403).</summary>
    public static async Task RequireReaderAsync(Callers callers, string action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(callers);
        await callers.RequireAsync(Decide(await callers.CurrentAsync(ct)), action, null, "MayNotReadAuditLog", ct, targetType: "audit-log");
    }
}

/// <summary>The web's audit policy: the caller's policy allows <c>audit</c>.</summary>
public sealed class AuditReaderRequirement : IAuthorizationRequirement;

internal sealed class AuditReaderHandler(IHttpContextAccessor http) : AuthorizationHandler<AuditReaderRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AuditReaderRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true || http.HttpContext is not { } request)
        {
            return;
        }

        try
        {
            if (await AuditRights.MayReadAsync(request.RequestServices.GetRequiredService<Callers>(), request.RequestAborted))
            {
                context.Succeed(requirement);
            }
        }
        catch (CustosException)
        {
            // A caller who cannot be loaded (gone since signing in) is refused, not failed.
        }
    }
}
