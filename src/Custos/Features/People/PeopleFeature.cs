using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.People;

/// <summary>The people feature's entry point.</summary>
internal sealed class PeopleFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<PeopleService>();
        services.AddScoped<JoiningChecklist>();
    }

    public override void MapApi(RouteGroupBuilder api) => PeopleApi.Map(api);

    public override IEnumerable<Command> Commands() => [PeopleCommands.Create()];
}
