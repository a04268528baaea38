using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Destruction;

/// <summary>The destruction feature's entry point.</summary>
internal sealed class DestructionFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<DestructionService>();
    }

    public override void MapApi(RouteGroupBuilder api) => DestructionApi.Map(api);

    public override IEnumerable<Command> Commands() => [DestructionCommands.Destructions()];
}
