using Custos.Hosting;

namespace Custos.Features.Training;

/// <summary>Every six hours: holders of certificates that run out within 30 days are reminded, once each (PPL-2).</summary>
internal sealed class TrainingReminders(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<TrainingReminders> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(6);

    protected override string ActorName => "custos-training";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<TrainingService>().RemindExpiringAsync(ct);
}
