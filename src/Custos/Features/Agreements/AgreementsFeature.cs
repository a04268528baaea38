using System.CommandLine;
using Custos.Hosting;
using Custos.Features.People;

namespace Custos.Features.Agreements;

/// <summary>The confidentiality agreements feature's entry point (PPL-1, PPL-4).</summary>
internal sealed class AgreementsFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<AgreementService>();
    }

    public override void UseGates(IApplicationBuilder app) => app.UseMiddleware<AgreementGate>();

    public override void MapApi(RouteGroupBuilder api) => AgreementsApi.Map(api);


    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/agreements", "Nav.Agreements", [Roles.ComplianceOfficer, Roles.Auditor, Roles.DepartmentHead])];

    public override IEnumerable<Command> Commands() => [AgreementCommands.Agreements()];
}
