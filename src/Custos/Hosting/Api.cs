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
        foreach (var feature in Features.FeatureList.All)
        {
            feature.MapApi(v1);
        }
    }
}
