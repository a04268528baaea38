using Custos.Features.Accounts;
using Custos.Features.ApiTokens;
using Custos.Features.Organisation;
using Custos.Features.People;

namespace Custos.Hosting;

/// <summary>The REST API under <c>/api/v1</c>. Each feature maps its own endpoints; all require authentication.</summary>
internal static class Api
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/api/v1")
            .RequireAuthorization()
            .AddEndpointFilter<CustosExceptionFilter>()
            .AddEndpointFilter<TextInputFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        AccountApi.Map(v1);
        PeopleApi.Map(v1);
        OrganisationApi.Map(v1);
        ApiTokensApi.Map(v1);
        Features.Customers.CustomersApi.Map(v1);
        Features.Audit.AuditApi.Map(v1);
        Features.Access.AccessApi.Map(v1);
        Features.Policy.PolicyApi.Map(v1);
        Features.Notifications.NotificationsApi.Map(v1);
        Features.Copies.CopiesApi.Map(v1);
        Features.Destruction.DestructionApi.Map(v1);
    }
}
