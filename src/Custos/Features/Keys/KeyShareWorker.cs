using Custos.Hosting;

namespace Custos.Features.Keys;

/// <summary>
/// Every six hours (the first round a minute after start): customers' data keys stored whole are split (ADR 0018), and
/// shares left without their customer for a day are removed.
/// </summary>
internal sealed class KeyShareWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<KeyShareWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(rounds++ == 0 ? 1 : 360);

    protected override string ActorName => "custos-keys";

    private int rounds;

    protected override async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var keys = services.GetRequiredService<KeyService>();
        await keys.SplitWholeKeysAsync(ct);
        await keys.SweepSharesAsync(ct);
    }
}
