using Custos.Hosting;

namespace Custos.Features.ApiTokens;

/// <summary>
/// Tokens for scripts: each person's own (created from a signed-in session, never by a token), all of them for
/// administrators. The secret is in the creation response and nowhere else.
/// </summary>
internal static class ApiTokensApi
{
    public sealed record CreateTokenRequest(string Name, IReadOnlyList<string> Scopes, int Days);

    public sealed record CreatedToken(Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt, string Secret);

    public static void Map(RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("API tokens").WithMetadata(new GateAttribute(Gate.OwnAccount));
        tokens.MapGet("/", async (bool? all, ApiTokenService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct, all == true)))
            .WithName("ListTokens").WithSummary("The caller's API tokens, or with all=true every token (administrators); never their secrets").ProducesProblem(403);
        tokens.MapPost("/", async (CreateTokenRequest request, ApiTokenService service, CancellationToken ct) =>
            {
                var (token, secret) = await service.CreateAsync(request.Name, request.Scopes ?? [], request.Days, ct);
                return TypedResults.Created($"/api/v1/tokens/{token.Id}", new CreatedToken(token.Id, token.Name, token.ScopeList, token.ExpiresAt, secret));
            })
            .WithName("CreateToken").WithSummary("Create a token for oneself, with scopes among one's own roles; the secret is returned once").ProducesProblem(400).ProducesProblem(403);
        tokens.MapDelete("/{id:guid}", async (Guid id, ApiTokenService service, CancellationToken ct) =>
            {
                await service.RevokeAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("RevokeToken").WithSummary("Revoke one's own token (administrators: any); it stops working at once").ProducesProblem(404);
    }
}
