using System.Security.Claims;
using Custos.Features.Accounts;
using Custos.Features.Audit;

namespace Custos.Hosting;

/// <summary>The actor of a web request: the signed-in person or API token, with the client address.</summary>
internal sealed class HttpActor(IHttpContextAccessor accessor) : ICurrentActor
{
    private ClaimsPrincipal? User => accessor.HttpContext?.User;

    /// <summary>Outside a request (start-up, background work) the actor is the system itself.</summary>
    public string Id => accessor.HttpContext is null
        ? FixedActor.System.Id
        : User?.Identity?.IsAuthenticated == true ? User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown" : "anonymous";

    public string Name => accessor.HttpContext is null
        ? FixedActor.System.Name
        : User?.Identity?.IsAuthenticated == true ? CustosClaims.DisplayNameOf(User) : "anonymous";

    public string? ClientAddress => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
