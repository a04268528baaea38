using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Committee;

/// <summary>The confidentiality committee's entry point (ORG-1).</summary>
internal sealed class CommitteeFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<CommitteeService>();

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<CommitteeWorker>();

    public override void MapApi(RouteGroupBuilder api) => CommitteeApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() => [new("/committee", "Nav.Committee", [])];

    public override IEnumerable<Command> Commands() => [CommitteeCommands.Committee()];
}
