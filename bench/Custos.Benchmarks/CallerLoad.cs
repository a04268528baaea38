using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// <c>caller-load [postgres]</c>: the per-request authorisation — who is calling, as the policy sees them — read
/// in full (the policy version, the person, roles, memberships, grants) against one round trip for the rights and
/// policy versions with the rest from memory; alternating rounds in one run, the fastest of three kept.
/// </summary>
internal static class CallerLoad
{
    private const int Loads = 2000;

    public static async Task<int> RunAsync(string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-caller-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (provider, _) = await BenchHost.CreateAsync(dir, postgres);
        await using (provider)
        {
            var actor = provider.GetRequiredService<ICurrentActor>();
            var policy = provider.GetRequiredService<PolicyStore>();
            var cache = new SubjectCache();
            var best = new Dictionary<bool, double> { [false] = double.MaxValue, [true] = double.MaxValue };
            for (var round = 0; round < 3; round++)
            {
                foreach (var cached in new[] { false, true })
                {
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < Loads; i++)
                    {
                        using var scope = provider.CreateScope();
                        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
                        await Caller.LoadAsync(db, actor, policy, TimeProvider.System, default, cached ? cache : null);
                    }

                    best[cached] = Math.Min(best[cached], clock.Elapsed.TotalMicroseconds / Loads);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine={(postgres is null ? "sqlite" : "postgres")} caller_full_us={best[false]:F0} caller_one_round_trip_us={best[true]:F0} ratio={best[true] / best[false]:F2}x"));
        }

        if (postgres is null)
        {
            Directory.Delete(dir, true);
        }

        return 0;
    }
}
