using Custos.Hosting;

namespace Custos.Features.Copies;

/// <summary>Every ten minutes: prints past their use-by date and still out are reported to their holder and the compliance officers.</summary>
internal sealed class CopyTimer(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<CopyTimer> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    protected override string ActorName => "custos-copies";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<CopyService>().RemindOverdueAsync(ct);
}
