using Custos.Hosting;

namespace Custos.Features.Access;

/// <summary>Every minute: unanswered requests past their time expire, waiting ones are reminded and escalated.</summary>
internal sealed class RequestTimer(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<RequestTimer> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override string ActorName => "custos-requests";

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var requests = services.GetRequiredService<RequestService>();
        await requests.ExpireDueAsync(ct);
        await requests.RemindDueAsync(ct);
    }
}
