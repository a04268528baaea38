using System.CommandLine;
using Custos.Features.People;
using Custos.Hosting;

namespace Custos.Features.Oversight;

/// <summary>Oversight's entry point: monthly risk assessments and their corrective actions (AUD-3), and the compliance dashboard.</summary>
internal sealed class OversightFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var oversight = settings.SectionOf<OversightSettings>("Assessments");
        oversight.Validate();
        services.AddSingleton(oversight);
        services.AddScoped<RiskMeasures>();
        services.AddScoped<RiskAssessmentService>();
        services.AddScoped<ComplianceDashboard>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<OversightWorker>();

    public override void MapApi(RouteGroupBuilder api) => OversightApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() =>
    [
        new("/compliance", "Nav.Compliance", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager]),
        new("/assessments", "Nav.Assessments", [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead]),
        new("/actions", "Nav.Actions", []),
    ];

    public override IEnumerable<Command> Commands() => [OversightCommands.Assessment()];
}

/// <summary>Every five minutes: opens the month's assessments on its first working day, reminds and escalates assessments and corrective actions.</summary>
internal sealed class OversightWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<OversightWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(5);

    protected override string ActorName => "custos-oversight";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<RiskAssessmentService>().RunDueAsync(ct);
}
