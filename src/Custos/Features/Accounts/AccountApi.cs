using System.Security.Claims;
using Custos.Hosting;
using Custos.Security;

namespace Custos.Features.Accounts;

/// <summary>Who am I: the caller's identity and roles, for integrations and the UI alike.</summary>
internal static class AccountApi
{
    public sealed record Me(string Id, string Name, string DisplayName, IReadOnlyList<string> Roles, bool IsApiToken);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new Me(
                user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
                user.Identity?.Name ?? "",
                CustosClaims.DisplayNameOf(user),
                [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order(StringComparer.Ordinal)],
                user.HasClaim(c => c.Type == CustosClaims.TokenId))))
            .WithMetadata(new GateAttribute(Gate.OwnAccount))
            .WithName("GetMe")
            .WithTags("Account")
            .WithSummary("The authenticated caller and their roles");
}
