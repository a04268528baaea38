using Custos.Hosting;

namespace Custos.Features.Partners;

/// <summary>Every six hours: partners' agreements ending within 30 days with no later one recorded are reported to the compliance officers, once each.</summary>
internal sealed class PartnerReminders(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<PartnerReminders> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(6);

    protected override string ActorName => "custos-partners";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<PartnerService>().RemindEndingAsync(ct);
}
