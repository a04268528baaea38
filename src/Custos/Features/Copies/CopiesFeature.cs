using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Copies;

/// <summary>The copies feature's entry point.</summary>
internal sealed class CopiesFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<CopyService>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<CopyTimer>();
    }

    public override void MapApi(RouteGroupBuilder api) => CopiesApi.Map(api);

    public override void MapWeb(IEndpointRouteBuilder endpoints) => CopiesWeb.Map(endpoints);

    public override IEnumerable<Command> Commands() => [CopyCommands.Copies()];
}
