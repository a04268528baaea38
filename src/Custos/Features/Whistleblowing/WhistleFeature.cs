using Custos.Hosting;

namespace Custos.Features.Whistleblowing;

/// <summary>Anonymous reports' entry point (INC-4).</summary>
internal sealed class WhistleFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var whistle = settings.SectionOf<WhistleSettings>("Whistle");
        if (whistle.PowBits is < 8 or > 28 || whistle.HarderFrom < 1 || whistle.MaxReportsPerHour < 1 || whistle.MaxFollowUpsPerHour < 1 || whistle.MaxAttempts < 1)
        {
            throw new InvalidOperationException("Custos:Whistle: PowBits lies between 8 and 28; HarderFrom, the hourly limits and MaxAttempts are at least 1.");
        }

        services.AddSingleton(whistle);
        services.AddSingleton<WhistleLimits>();
        services.AddScoped<WhistleService>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<WhistleWorker>();

    public override void MapApi(RouteGroupBuilder api) => WhistleApi.Map(api);

    public override IEnumerable<NavigationItem> Navigation() => [new("/whistle", "Nav.Whistle", []), new("/reports", "Nav.Reports", [People.Roles.CommitteeMember])];
}

/// <summary>Every hour: puzzles older than an hour are removed.</summary>
internal sealed class WhistleWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<WhistleWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string ActorName => "custos-whistle";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<WhistleService>().PurgeChallengesAsync(ct);
}
