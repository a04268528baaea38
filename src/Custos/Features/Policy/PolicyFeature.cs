using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Policy;

/// <summary>The policy feature's entry point.</summary>
internal sealed class PolicyFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<PolicyService>();
    }

    public override void MapApi(RouteGroupBuilder api) => PolicyApi.Map(api);

    public override IEnumerable<Command> Commands() => [PolicyCommands.Create()];
}
