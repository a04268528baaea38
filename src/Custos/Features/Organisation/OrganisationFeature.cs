using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Organisation;

/// <summary>The organisation feature's entry point.</summary>
internal sealed class OrganisationFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<OrganisationService>();
    }

    public override void MapApi(RouteGroupBuilder api) => OrganisationApi.Map(api);

    public override IEnumerable<Command> Commands() => [OrganisationCommands.Create()];
}
