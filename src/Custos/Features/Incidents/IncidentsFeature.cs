using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Incidents;

/// <summary>Leak incidents' entry point (INC-1..3).</summary>
internal sealed class IncidentsFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var incidents = settings.SectionOf<IncidentSettings>("Incidents");
        incidents.Validate();
        services.AddSingleton(incidents);
        services.AddScoped<IncidentService>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<IncidentWorker>();

    public override void MapApi(RouteGroupBuilder api) => IncidentsApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() => [new("/incidents", "Nav.Incidents", [])];

    public override IEnumerable<Command> Commands() => [IncidentCommands.Incident()];
}

/// <summary>Every minute: the legal clocks (reminders before the report to the authority is due, escalation once it is past, the summary report).</summary>
internal sealed class IncidentWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<IncidentWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override string ActorName => "custos-incidents";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<IncidentService>().RunDueAsync(ct);
}
