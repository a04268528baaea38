using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Access;

/// <summary>The access feature's entry point.</summary>
internal sealed class AccessFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<RequestService>();
        services.AddScoped<GrantService>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<RequestTimer>();
    }

    public override void MapApi(RouteGroupBuilder api) => AccessApi.Map(api);

    public override IEnumerable<Command> Commands() => [AccessCommands.Grants(), AccessCommands.Requests()];
}
