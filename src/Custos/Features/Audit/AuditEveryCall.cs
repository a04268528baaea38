using Custos.Hosting;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>
/// Middleware on the API (AUD-1): a call by a signed-in person or token that committed no audit entry of its
/// own — a read of something other than customer data, a request refused before feature code ran (bad input
/// included), a failure — still leaves one, naming the endpoint, the target id from the route and the outcome
/// from the status. It is written in a unit of work of its own, so nothing half-done by a failed handler is
/// saved with it. Refusals by an authorization policy are recorded by <see cref="AuditedAuthorization"/>.
/// </summary>
internal sealed class AuditEveryCall(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, AuditRequestState state, IServiceScopeFactory scopes)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception e) when (e is not AuditWriteException && e is not OperationCanceledException)
        {
            try
            {
                await RecordAsync(context, state, scopes, ApiProblems.StatusFor(e), e.GetType().Name);
            }
            catch (AuditWriteException)
            {
                // The store is failing too; the original error says more.
            }

            throw;
        }

        // The response is already on its way by now only for streamed bodies (attachments), which record themselves.
        await RecordAsync(context, state, scopes, context.Response.StatusCode, null);
    }

    private static async Task RecordAsync(HttpContext http, AuditRequestState state, IServiceScopeFactory scopes, int status, string? error)
    {
        if (state.Committed > 0)
        {
            return;
        }

        var outcome = status switch
        {
            < 400 => AuditOutcome.Success,
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound => AuditOutcome.Denied,
            _ => AuditOutcome.Failed,
        };
        var endpoint = http.GetEndpoint();
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        var segments = route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var type = segments.Length > 2 ? segments[2].TrimEnd('s') : "api";
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAuditTrail>().RecordNowAsync(
            name is null ? AuditActions.ApiCall : "api." + name, type, http.GetRouteValue("id")?.ToString(), outcome,
            new { status, error, method = http.Request.Method, route }, http.RequestAborted);
    }
}
