using System.CommandLine;
using Custos.Features.People;
using Custos.Hosting;

namespace Custos.Features.Leaving;

/// <summary>Leaving's entry point (PPL-1, PPL-3).</summary>
internal sealed class LeavingFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<LeavingService>();

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<LeavingWorker>();

    public override void MapApi(RouteGroupBuilder api) => LeavingApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/leaving", "Nav.Leaving", [Roles.ItAdministrator, Roles.ComplianceOfficer, Roles.Auditor, Roles.DepartmentHead])];

    public override IEnumerable<Command> Commands() => [LeavingCommands.Leaving()];
}
