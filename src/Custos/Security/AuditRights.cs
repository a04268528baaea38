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
        return (await callers.CurrentAsync(ct)).Decide(PolicyAction.Audit).Allowed;
    }

    /// <summary>Goes on if the caller may read the audit log; otherwise the refusal is recorded and thrown (403).</summary>
    public static async Task RequireReaderAsync(Callers callers, string action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(callers);
        var decision = (await callers.CurrentAsync(ct)).Decide(PolicyAction.Audit);
        await callers.RequireAsync(decision, action, null, "MayNotReadAuditLog", ct);
    }
}

/// <summary>The web's audit policy: the caller's policy allows <c>audit</c>.</summary>
public sealed class AuditReaderRequirement : IAuthorizationRequirement;

internal sealed class AuditReaderHandler(IHttpContextAccessor http) : AuthorizationHandler<AuditReaderRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AuditReaderRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && http.HttpContext is { } request
            && await AuditRights.MayReadAsync(request.RequestServices.GetRequiredService<Callers>(), request.RequestAborted))
        {
            context.Succeed(requirement);
        }
    }
}
