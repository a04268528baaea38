using Custos.Hosting;

namespace Custos.Features.Leaving;

/// <summary>Every hour: ends the access of those whose last working day has passed, and escalates prints and lent archives still out with people who have left (PPL-3).</summary>
internal sealed class LeavingWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<LeavingWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string ActorName => "custos-leaving";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<LeavingService>().RunDueAsync(ct);
}
