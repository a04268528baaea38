using Custos.Hosting;

namespace Custos.Features.Committee;

/// <summary>Every hour: seats whose term ran out end with their role, and terms ending within 30 days are told to the compliance officers (ORG-1).</summary>
internal sealed class CommitteeWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<CommitteeWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string ActorName => "custos-committee";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<CommitteeService>().RunDueAsync(ct);
}
