using System.CommandLine;
using Custos.Features.People;
using Custos.Hosting;

namespace Custos.Features.Oversight;

/// <summary>Oversight's entry point: monthly risk assessments (AUD-3), bimonthly inspections (AUD-4), their corrective actions, and the compliance dashboard.</summary>
internal sealed class OversightFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var oversight = settings.SectionOf<OversightSettings>("Assessments");
        oversight.Validate();
        services.AddSingleton(oversight);
        services.AddScoped<RiskMeasures>();
        services.AddScoped<RiskAssessmentService>();
        services.AddScoped<InspectionService>();
        services.AddScoped<ComplianceDashboard>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<OversightWorker>();

    public override void MapApi(RouteGroupBuilder api) => OversightApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() =>
    [
        new("/compliance", "Nav.Compliance", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager]),
        new("/assessments", "Nav.Assessments", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead]),
        new("/inspections", "Nav.Inspections", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead, Roles.ProjectManager]),
        new("/actions", "Nav.Actions", []),
    ];

    public override IEnumerable<Command> Commands() => [OversightCommands.Assessment(), OversightCommands.Inspection()];
}

/// <summary>Every five minutes: opens the month's assessments and the cycle's inspection plan, reminds and escalates assessments, inspections and corrective actions.</summary>
internal sealed class OversightWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<OversightWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(5);

    protected override string ActorName => "custos-oversight";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        await services.GetRequiredService<RiskAssessmentService>().RunDueAsync(ct);
        await services.GetRequiredService<InspectionService>().RunDueAsync(ct);
    }
}
