using System.CommandLine;
using Custos.Hosting;
using Custos.Features.People;

namespace Custos.Features.Partners;

/// <summary>The partner register's entry point (PPL-4, EXP-1).</summary>
internal sealed class PartnersFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<PartnerService>();
        services.AddScoped<PartnerSignIn>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<PartnerReminders>();
    }

    public override void UseGates(IApplicationBuilder app) => app.UseMiddleware<PartnerGate>();

    public override void MapApi(RouteGroupBuilder api) => PartnersApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/partners", "Nav.Partners", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead, Roles.ProjectManager])];

    public override IEnumerable<Command> Commands() => [PartnerCommands.Partners()];
}
