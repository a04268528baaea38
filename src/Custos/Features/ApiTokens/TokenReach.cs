using System.Security.Claims;
using Custos.Features.Accounts;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Security;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.ApiTokens;

/// <summary>
/// Where a token may go: the REST API and <c>/metrics</c>, never the pages; a token whose only scope is
/// <c>metrics</c> reads <c>/metrics</c> and nothing else — not the departments, not the projects, not its person's account.
/// Every refusal is recorded.
/// </summary>
internal sealed class TokenReach(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems, IStringLocalizer<Strings> text, IAuditTrail audit)
    {
        if (context.User.HasClaim(c => c.Type == CustosClaims.TokenId))
        {
            var roles = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
            var metrics = context.Request.Path.Equals("/metrics", StringComparison.OrdinalIgnoreCase);
            var metricsOnly = roles.All(r => r == Roles.MetricsReader);
            var api = context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
            var open = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null; // health, OpenAPI: anyone's anyway
            if (!metrics && !open && (metricsOnly || !api))
            {
                await audit.RecordNowAsync(AuditActions.TokenRefused, "token", context.User.FindFirstValue(CustosClaims.TokenId), AuditOutcome.Denied,
                    new { reason = metricsOnly ? "metrics-only" : "pages", path = context.Request.Path.Value }, context.RequestAborted);
                await Hosting.ApiProblems.WriteForbiddenAsync(context, problems, text["Error.TokenReach"], "TokenReach");
                return;
            }
        }

        await next(context);
    }
}
