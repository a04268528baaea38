using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>
/// Records every request a signed-in person or token is refused by an authorization policy (AUD-1: denied
/// attempts), on pages and API alike, before the usual 403 or redirect. Anonymous callers are turned away
/// without an entry: they are not yet anyone, and failed sign-ins are recorded where they happen.
/// </summary>
internal sealed class AuditedAuthorization(IServiceScopeFactory scopes) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var endpoint = context.GetEndpoint();
            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IAuditTrail>().RecordNowAsync(
                AuditActions.AccessDenied, "endpoint", null, AuditOutcome.Denied,
                new { method = context.Request.Method, route, target = context.GetRouteValue("id")?.ToString() }, context.RequestAborted);
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
