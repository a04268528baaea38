using System.CommandLine;
using Custos.Hosting;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>The audit feature's entry point.</summary>
internal sealed class AuditFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<IAuditTrail, DatabaseAuditTrail>();
        services.AddSingleton<AuditSequencerSignal>();
        services.AddSingleton<AuditGroupCommit>();
        services.AddScoped<AuditRequestState>();
        services.AddSingleton<AuditSigner>();
        services.AddScoped<AuditSequencer>();
        services.AddScoped<AuditVerifier>();
        services.AddScoped<AuditProofs>();
        services.AddScoped<AuditSearch>();
        services.AddScoped<AuditForwarder>();
        services.AddScoped<AuditAlertRules>();
        services.AddScoped<AuditAlertService>();
        services.AddScoped<DecoyService>();
        services.AddScoped<AuditArchiver>();
        services.AddScoped<AuditPlanService>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<AuditSequencerService>();
        services.AddHostedService<AuditForwardingService>();
        services.AddHostedService<AuditAlertWorker>();
    }

    public override void MapApi(RouteGroupBuilder api) => AuditApi.Map(api);

    public override IEnumerable<Command> Commands() => [AuditCommands.Create()];
}
