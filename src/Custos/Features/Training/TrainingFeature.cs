using System.CommandLine;
using Custos.Hosting;
using Custos.Features.People;

namespace Custos.Features.Training;

/// <summary>The confidentiality training feature's entry point (PPL-2).</summary>
internal sealed class TrainingFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<TrainingService>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<TrainingReminders>();
    }

    public override void MapApi(RouteGroupBuilder api) => TrainingApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() =>
    [
        new("/training", "Nav.Training", []),
        new("/training/results", "Nav.TrainingResults", [Roles.ComplianceOfficer, Roles.Auditor, Roles.DepartmentHead]),
    ];

    public override IEnumerable<Command> Commands() => [TrainingCommands.Training()];
}
