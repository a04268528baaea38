using Custos.Hosting;

namespace Custos.Features.ApiTokens;

/// <summary>Integration tokens; IT administrators only. The secret is in the creation response and nowhere else.</summary>
internal static class ApiTokensApi
{
    public sealed record CreateTokenRequest(string Name, IReadOnlyList<string> Scopes, int Days);

    public sealed record CreatedToken(Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt, string Secret);

    public static void Map(RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").RequireAuthorization(Policies.Administer).WithTags("API tokens");
        tokens.MapGet("/", async (ApiTokenService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListTokens").WithSummary("All API tokens (never their secrets)");
        tokens.MapPost("/", async (CreateTokenRequest request, ApiTokenService service, CancellationToken ct) =>
            {
                var (token, secret) = await service.CreateAsync(request.Name, request.Scopes ?? [], request.Days, ct);
                return TypedResults.Created($"/api/v1/tokens/{token.Id}", new CreatedToken(token.Id, token.Name, token.ScopeList, token.ExpiresAt, secret));
            })
            .WithName("CreateToken").WithSummary("Create a token; the secret is returned once").ProducesProblem(400);
        tokens.MapDelete("/{id:guid}", async (Guid id, ApiTokenService service, CancellationToken ct) =>
            {
                await service.RevokeAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("RevokeToken").WithSummary("Revoke a token; it stops working at once").ProducesProblem(404);
    }
}
