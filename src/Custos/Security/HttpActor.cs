using System.Security.Claims;
using Custos.Features.Accounts;
using Custos.Features.Audit;

namespace Custos.Security;

/// <summary>
/// The actor of a web request: the signed-in person or API token, with the client address. Background work
/// started by a person (an import) runs in a scope whose <see cref="BackgroundActor"/> names that person.
/// </summary>
internal sealed class HttpActor(IHttpContextAccessor accessor, BackgroundActor background) : ICurrentActor
{
    private ClaimsPrincipal? User => accessor.HttpContext?.User;

    /// <summary>Outside a request and without a background actor (start-up), the actor is the system itself.</summary>
    public string Id => background.Id ?? (accessor.HttpContext is null
        ? FixedActor.System.Id
        : User?.Identity?.IsAuthenticated == true ? User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown" : "anonymous");

    public string Name => background.Name ?? (accessor.HttpContext is null
        ? FixedActor.System.Name
        : User?.Identity?.IsAuthenticated == true ? ActorNames.Of(User.FindFirstValue(CustosClaims.DisplayName), User.Identity.Name) : "anonymous");

    /// <summary>The client's address; none on the paths where nobody is known (anonymous reports).</summary>
    public string? ClientAddress => background.ClientAddress
        ?? (Hosting.AnonymousPaths.IsAnonymous(accessor.HttpContext) ? null : accessor.HttpContext?.Connection.RemoteIpAddress?.ToString());

    /// <summary>A token's principal carries the roles it may use: its person's current roles, narrowed by its scopes.</summary>
    public IReadOnlySet<string>? RoleLimit =>
        background.Id is null && User is { } user && user.HasClaim(c => c.Type == CustosClaims.TokenId)
            ? user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal)
            : null;
}

/// <summary>Who background work in this scope acts for; empty in request scopes.</summary>
public sealed class BackgroundActor
{
    public string? Id { get; private set; }

    public string? Name { get; private set; }

    public string? ClientAddress { get; private set; }

    public void Set(string id, string name, string? clientAddress)
    {
        Id = id;
        Name = name;
        ClientAddress = clientAddress;
    }
}
