using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.ApiTokens;

/// <summary>The apitokens feature's entry point.</summary>
internal sealed class ApiTokensFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<ApiTokenService>();
    }

    public override void MapApi(RouteGroupBuilder api) => ApiTokensApi.Map(api);

    public override IEnumerable<Command> Commands() => [ApiTokenCommands.Create()];
}
